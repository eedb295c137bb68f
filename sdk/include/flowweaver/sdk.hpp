// FlowWeaver C++ SDK: write a task plugin in a few lines.
//
//   #include <flowweaver/sdk.hpp>
//
//   class Greet : public flowweaver::Task {
//    public:
//     flowweaver::Json run(flowweaver::Context& ctx) override {
//       std::string who = ctx.param<std::string>("who");  // a value from `with:`
//       int times = ctx.param_or<int>("times", 1);           // ... or a fallback when absent
//       ctx.log("info", "greeting " + who);
//       if (ctx.cancelled()) throw flowweaver::PermanentError("cancelled");
//       return {{"greeting", "hello " + who}, {"times", times}, {"attempt", ctx.attempt()}};
//     }
//   };
//
//   FLOWWEAVER_PLUGIN(greeter, "1.2.0") {
//     plugin.task<Greet>("greet", "Says hello to someone")
//         .required("who", flowweaver::ParamType::String, "Who to greet")
//         .optional("times", flowweaver::ParamType::Integer, 1, "How often");
//   }
//
// Build it with flowweaver_add_plugin(greeter greeter.cpp) from the FlowWeaverSDK CMake
// package; use it in a manifest as `uses: greeter.greet`.
//
// Contract of a Task:
// - A new Task object is made for every call, so members need no locking; calls of the same
//   task type may run on several threads at once.
// - What run() returns is the task's output: stored durably, handed to dependents
//   (ctx.input) and usable in templates (${tasks.NAME.output.PATH}). JSON has no NaN or
//   Infinity: an output holding one fails the task at once, naming the field, instead of
//   being stored as null. So does a string that is not valid UTF-8.
// - Throwing flowweaver::PermanentError fails the task at once. Throwing anything else fails
//   this attempt with the exception's message; the host retries per the task's policy.
//   flowweaver::RetryAfterError also asks the host to wait at least a given time first.
// - Nothing thrown ever crosses into the host: the trampoline below converts it.
#ifndef FLOWWEAVER_SDK_HPP_
#define FLOWWEAVER_SDK_HPP_

#include <flowweaver/plugin.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace flowweaver {

using Json = nlohmann::json;

// Fails the task without further attempts.
class PermanentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Fails this attempt and asks the host to wait at least `retry_after` before the next one
// (e.g. what a server's Retry-After header says). The host still waits the task's own
// retry_delay if that is longer, and never longer than its max_retry_delay. A host too old to
// know the request retries after its usual delay.
class RetryAfterError : public std::runtime_error {
 public:
  RetryAfterError(const std::string& message, std::chrono::milliseconds retry_after)
      : std::runtime_error(message), retry_after_(retry_after) {}
  std::chrono::milliseconds retry_after() const { return retry_after_; }

 private:
  std::chrono::milliseconds retry_after_;
};

// Parses a duration such as "500ms", "30s", "5m", "1h" or "1m30s" (digits then a unit, one or
// more times). Returns nothing for any other text.
inline std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits_begin = i;
    int64_t value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (value > (int64_t{1} << 40)) return std::nullopt;  // far beyond any sane duration
      value = value * 10 + (text[i++] - '0');
    }
    if (i == digits_begin) return std::nullopt;
    size_t unit_begin = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    std::string_view unit = text.substr(unit_begin, i - unit_begin);
    if (unit == "ms")
      total_ms += value;
    else if (unit == "s")
      total_ms += value * 1000;
    else if (unit == "m")
      total_ms += value * 60 * 1000;
    else if (unit == "h")
      total_ms += value * 3600 * 1000;
    else
      return std::nullopt;
  }
  return std::chrono::milliseconds(total_ms);
}

namespace detail {

// Stops a template argument from being deduced, so that param_or("k", 5) keeps meaning the
// untyped overload it meant before the typed one existed (std::type_identity is C++20).
template <class T>
struct NotDeduced {
  using type = T;
};

// What a typed accessor accepts as T, for its error message; empty where nlohmann's own
// conversion decides (containers, user types).
template <class T>
std::string expected_type() {
  if constexpr (std::is_same_v<T, bool>) {
    return "a boolean";
  } else if constexpr (std::is_integral_v<T>) {
    return "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
           std::to_string(std::numeric_limits<T>::max());
  } else if constexpr (std::is_floating_point_v<T>) {
    return "a number";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "a string";
  } else {
    return "";
  }
}

// Whether an integer held by `value` fits in T (nlohmann keeps non-negative numbers unsigned).
template <class T>
bool integer_fits(const Json& value) {
  if (value.is_number_unsigned()) {
    return value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  }
  if (!value.is_number_integer()) return false;
  int64_t number = value.get<int64_t>();
  if (number >= 0) {
    return static_cast<uint64_t>(number) <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  }
  return std::is_signed_v<T> && number >= static_cast<int64_t>(std::numeric_limits<T>::min());
}

// Stricter than Json::get<T>, which turns 2.5 into 2 and true into 1 without a word.
template <class T>
bool holds(const Json& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value.is_boolean();
  } else if constexpr (std::is_integral_v<T>) {
    return integer_fits<T>(value);
  } else if constexpr (std::is_floating_point_v<T>) {
    return value.is_number();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value.is_string();
  } else {
    return true;
  }
}

// A value as an error message shows it: its JSON, cut short, and its kind. The cut falls
// between characters, never inside one, so the message stays UTF-8.
inline std::string describe(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 60) {
    size_t cut = 57;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return text + " (" + value.type_name() + ")";
}

}  // namespace detail

// Everything a task can know or ask of the host during one call.
class Context {
 public:
  // `task_type` ("plugin.type") only makes messages clearer; the SDK's trampoline gives it.
  explicit Context(const fw_call* call, std::string_view task_type = {})
      : call_(call), task_type_(task_type) {}

  // The value of `with: {name: ...}` (after templating and defaults). Throws PermanentError
  // naming the key and the task when there is no such key.
  const Json& param(const std::string& name) const {
    const Json& all = params();
    auto it = all.find(name);
    if (it == all.end()) {
      throw PermanentError("task '" + std::string(task_name()) + "': missing parameter '" + name +
                           "' (add it under `with:`)");
    }
    return *it;
  }

  // The value of `with: {name: ...}`, or `fallback` when absent.
  Json param_or(const std::string& name, Json fallback) const {
    const Json& all = params();
    auto it = all.find(name);
    return it == all.end() ? fallback : *it;
  }

  // The value of `with: {name: ...}` as T, e.g. param<int>("n"). Throws PermanentError when it
  // is absent, or when it is not a T: the message names the task, the parameter, the type
  // asked for and the value given. Integers must fit T; a number is not taken for a boolean
  // or 2.5 for an integer. Other types (containers, your own) convert as Json::get<T> does.
  template <class T>
  T param(const std::string& name) const {
    return typed<T>(name, param(name));
  }

  // As param<T>, or `fallback` when `with:` leaves the key out (a value of the wrong type is
  // still an error, not a reason to fall back).
  template <class T>
  T param_or(const std::string& name, const typename detail::NotDeduced<T>::type& fallback) const {
    const Json& all = params();
    auto it = all.find(name);
    return it == all.end() ? fallback : typed<T>(name, *it);
  }

  bool has_param(const std::string& name) const { return params().contains(name); }

  // The whole resolved `with:` object.
  const Json& params() const {
    if (!params_parsed_) {
      params_ = Json::parse(call_->params_json, call_->params_json + call_->params_len);
      params_parsed_ = true;
    }
    return params_;
  }

  // A "duration" parameter (e.g. "2s") as milliseconds; throws PermanentError if malformed.
  std::chrono::milliseconds duration_param(const std::string& name) const {
    const Json& value = param(name);
    std::optional<std::chrono::milliseconds> parsed;
    if (value.is_string()) parsed = parse_duration(value.get<std::string>());
    if (!parsed) {
      throw PermanentError("task '" + std::string(task_name()) + "': parameter '" + name +
                           "' is not a duration like 500ms, 30s, 5m or 1h");
    }
    return *parsed;
  }

  // The output of `upstream`, which must be listed in this task's depends_on; throws
  // PermanentError otherwise.
  Json input(const std::string& upstream) const {
    size_t len = 0;
    const char* text = call_->host->input(call_->host->host_data, upstream.c_str(), &len);
    if (text == nullptr) {
      throw PermanentError("task '" + std::string(task_name()) + "': '" + upstream +
                           "' is not an upstream task (add it to depends_on)");
    }
    return Json::parse(text, text + len);
  }

  // level: "debug", "info", "warn" or "error".
  void log(std::string_view level, std::string_view message) const {
    call_->host->log(call_->host->host_data, level_from_name(level), message.data(),
                     message.size());
  }

  // True once the task should stop: its timeout passed or the host is shutting down.
  bool cancelled() const { return call_->host->is_cancelled(call_->host->host_data) != 0; }

  // Sleeps for `duration` unless cancelled first; returns false when cancelled.
  bool sleep_for(std::chrono::milliseconds duration) const {
    uint64_t ms = duration.count() < 0 ? 0 : static_cast<uint64_t>(duration.count());
    return call_->host->wait_cancelled(call_->host->host_data, ms) == 0;
  }

  // 1 for the first attempt of this task in the current run.
  int attempt() const { return static_cast<int>(call_->attempt); }

  std::string_view task_name() const { return call_->task_name; }

  // "plugin.type" as in `uses:`; empty for a Context made without one.
  std::string_view task_type() const { return task_type_; }

  // "task 'NAME' (task type 'PLUGIN.TYPE')": how the SDK's newer messages start.
  std::string who() const {
    std::string text = "task '" + std::string(task_name()) + "'";
    if (!task_type_.empty()) text += " (task type '" + std::string(task_type_) + "')";
    return text;
  }

 private:
  template <class T>
  T typed(const std::string& name, const Json& value) const {
    if (!detail::holds<T>(value)) {
      throw PermanentError(who() + ": parameter '" + name + "' must be " +
                           detail::expected_type<T>() + ", but is " + detail::describe(value));
    }
    try {
      return value.get<T>();
    } catch (const Json::exception& e) {
      throw PermanentError(who() + ": parameter '" + name + "' (" + detail::describe(value) +
                           ") cannot be read as the type the plugin asks for: " + e.what());
    }
  }

  static fw_log_level level_from_name(std::string_view level) {
    if (level == "debug") return FW_LOG_DEBUG;
    if (level == "warn" || level == "warning") return FW_LOG_WARN;
    if (level == "error") return FW_LOG_ERROR;
    return FW_LOG_INFO;
  }

  const fw_call* call_;
  std::string_view task_type_;
  mutable Json params_;
  mutable bool params_parsed_ = false;
};

// Base class of every task implementation.
class Task {
 public:
  virtual ~Task() = default;
  virtual Json run(Context& ctx) = 0;
};

// Parameter types a task type can declare; validate checks `with:` values against them.
enum class ParamType { String, Integer, Number, Boolean, Object, Array, Duration, Any };

namespace detail {

inline const char* param_type_name(ParamType type) {
  switch (type) {
    case ParamType::String:
      return "string";
    case ParamType::Integer:
      return "integer";
    case ParamType::Number:
      return "number";
    case ParamType::Boolean:
      return "boolean";
    case ParamType::Object:
      return "object";
    case ParamType::Array:
      return "array";
    case ParamType::Duration:
      return "duration";
    case ParamType::Any:
      return "any";
  }
  return "any";
}

inline void report(const fw_call* call, void (*sink)(void*, const char*, size_t),
                   const std::string& text) {
  sink(call->host->host_data, text.data(), text.size());
}

// The first number in `value` that JSON text cannot hold (NaN, Infinity), or null. `path`
// receives where it is, innermost step first: object keys and array indexes.
inline const Json* find_non_finite(const Json& value, std::vector<std::string>& path) {
  if (value.is_number_float()) return std::isfinite(value.get<double>()) ? nullptr : &value;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (const Json* found = find_non_finite(*it, path)) {
        path.push_back(it.key());
        return found;
      }
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      if (const Json* found = find_non_finite(value[i], path)) {
        path.push_back(std::to_string(i));
        return found;
      }
    }
  }
  return nullptr;
}

// `path` (innermost first) dotted as in ${tasks.NAME.output.PATH}.
inline std::string dotted(const std::vector<std::string>& path) {
  std::string text;
  for (auto step = path.rbegin(); step != path.rend(); ++step) {
    if (!text.empty()) text += '.';
    text += *step;
  }
  return text;
}

// The output as JSON text. Json::dump would write NaN and Infinity as null, silently, and
// throws on invalid UTF-8; both are the same on every attempt, so both fail the task at once.
inline std::string output_text(const Json& output, const Context& ctx) {
  std::vector<std::string> path;
  if (const Json* bad = find_non_finite(output, path)) {
    double number = bad->get<double>();
    std::string what = std::isnan(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity";
    std::string where = path.empty() ? "output" : "output field \"" + dotted(path) + "\"";
    throw PermanentError(ctx.who() + ": " + where + " is " + what +
                         ", which JSON cannot hold; this is a bug in the plugin, not retried");
  }
  try {
    return output.dump();
  } catch (const Json::type_error& e) {
    throw PermanentError(ctx.who() + ": output is not valid UTF-8 (" + e.what() +
                         "); this is a bug in the plugin, not retried");
  }
}

// The C entry point of one task type: runs T and converts everything it throws. `task_data`
// is the task type's "plugin.type" name (PluginBuilder::descriptor).
template <class T>
fw_outcome run_task(const void* task_data, const fw_call* call) noexcept {
  try {
    Context ctx(call, task_data ? static_cast<const char*>(task_data) : "");
    T task;
    std::string output = output_text(task.run(ctx), ctx);
    report(call, call->host->set_output, output);
    return FW_OUTCOME_OK;
  } catch (const PermanentError& e) {
    report(call, call->host->set_error, e.what());
    return FW_OUTCOME_PERMANENT;
  } catch (const RetryAfterError& e) {
    report(call, call->host->set_error, e.what());
    if (FW_HOST_HAS(call->host, set_retry_after) && call->host->set_retry_after != nullptr) {
      int64_t ms = e.retry_after().count();
      call->host->set_retry_after(call->host->host_data, ms < 0 ? 0 : static_cast<uint64_t>(ms));
    }
    return FW_OUTCOME_RETRYABLE;
  } catch (const std::exception& e) {
    report(call, call->host->set_error, e.what());
    return FW_OUTCOME_RETRYABLE;
  } catch (...) {
    report(call, call->host->set_error, "task threw an exception not derived from std::exception");
    return FW_OUTCOME_RETRYABLE;
  }
}

}  // namespace detail

// Declares one task type's parameters; returned by PluginBuilder::task.
class TaskBuilder {
 public:
  // A parameter `with:` must give.
  TaskBuilder& required(std::string name, ParamType type, std::string description) {
    return add(std::move(name), type, true, std::string(), std::move(description));
  }

  // A parameter with a default used when `with:` does not give it.
  TaskBuilder& optional(std::string name, ParamType type, const Json& default_value,
                        std::string description) {
    return add(std::move(name), type, false, default_value.dump(), std::move(description));
  }

  // Accept `with:` keys beyond the declared ones (e.g. a task that echoes its input).
  TaskBuilder& open_params() {
    flags_ |= FW_TASK_OPEN_PARAMS;
    return *this;
  }

 private:
  friend class PluginBuilder;
  struct Param {
    std::string name, type, default_json, description;
    bool required = false;
  };

  TaskBuilder& add(std::string name, ParamType type, bool required, std::string default_json,
                   std::string description) {
    params_.push_back({std::move(name), detail::param_type_name(type), std::move(default_json),
                       std::move(description), required});
    return *this;
  }

  std::string name_, description_;
  std::string qualified_name_;  // "plugin.type": the task_data handed back to run_task
  fw_run_fn run_ = nullptr;
  uint32_t flags_ = 0;
  std::vector<Param> params_;
  std::vector<fw_param> c_params_;
};

// What FLOWWEAVER_PLUGIN's body receives as `plugin`.
class PluginBuilder {
 public:
  PluginBuilder(const char* name, const char* version) : name_(name), version_(version) {}

  template <class T>
  TaskBuilder& task(std::string name, std::string description) {
    TaskBuilder& builder = tasks_.emplace_back();
    builder.name_ = std::move(name);
    builder.description_ = std::move(description);
    builder.run_ = &detail::run_task<T>;
    return builder;
  }

  // The C descriptor; valid as long as this builder lives (FLOWWEAVER_PLUGIN keeps it static).
  const fw_plugin* descriptor() {
    types_.clear();
    for (TaskBuilder& t : tasks_) {
      t.qualified_name_ = std::string(name_) + "." + t.name_;
      t.c_params_.clear();
      for (const TaskBuilder::Param& p : t.params_) {
        t.c_params_.push_back({sizeof(fw_param), p.name.c_str(), p.type.c_str(), p.required ? 1 : 0,
                               p.required ? nullptr : p.default_json.c_str(),
                               p.description.c_str()});
      }
      types_.push_back({sizeof(fw_task_type), t.name_.c_str(), t.description_.c_str(),
                        t.c_params_.data(), static_cast<uint32_t>(t.c_params_.size()), t.flags_,
                        t.run_, t.qualified_name_.c_str()});
    }
    plugin_ = {FLOWWEAVER_ABI_VERSION,
               sizeof(fw_plugin),
               name_,
               version_,
               types_.data(),
               static_cast<uint32_t>(types_.size())};
    return &plugin_;
  }

 private:
  const char* name_;
  const char* version_;
  std::deque<TaskBuilder> tasks_;  // deque: task() hands out references that must stay valid
  std::vector<fw_task_type> types_;
  fw_plugin plugin_{};
};

}  // namespace flowweaver

namespace flowweaver::detail {

// Runs the registration once; an exception thrown by it refuses the load (NULL descriptor)
// instead of crossing into the host.
inline const fw_plugin* describe_once(PluginBuilder& builder,
                                      void (*register_tasks)(PluginBuilder&)) {
  try {
    register_tasks(builder);
    return builder.descriptor();
  } catch (...) {
    return nullptr;
  }
}

}  // namespace flowweaver::detail

// Defines the plugin's entry symbol. The braces that follow are the body of a function
// receiving `flowweaver::PluginBuilder& plugin`; it runs once, on first load.
#define FLOWWEAVER_PLUGIN(plugin_name, version_string)                              \
  static void flowweaver_register_plugin_(::flowweaver::PluginBuilder& plugin);     \
  extern "C" FW_PLUGIN_EXPORT const fw_plugin* flowweaver_plugin_entry(void) {      \
    static ::flowweaver::PluginBuilder builder(#plugin_name, version_string);       \
    static const fw_plugin* descriptor =                                            \
        ::flowweaver::detail::describe_once(builder, &flowweaver_register_plugin_); \
    return descriptor;                                                              \
  }                                                                                 \
  static void flowweaver_register_plugin_(::flowweaver::PluginBuilder& plugin)

#endif  // FLOWWEAVER_SDK_HPP_
