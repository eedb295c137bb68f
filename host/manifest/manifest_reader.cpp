#include "manifest/manifest_reader.h"

#include <algorithm>

#include "cron/cron.h"
#include "expr/expr_error.h"
#include "expr/parser.h"
#include "manifest/condition_position.h"
#include "manifest/fan_out_reader.h"
#include "manifest/flow_names.h"
#include "manifest/manifest_document.h"
#include "manifest/param_reader.h"
#include "manifest/workflow_outputs.h"
#include "manifest/yaml_document.h"
#include "manifest/yaml_field_reader.h"
#include "manifest/yaml_value.h"
#include "util/byte_size.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

const std::vector<std::string> kTopKeys = {
    "name",     "description", "max_workers", "params",  "secrets", "defaults", "tasks",
    "schedule", "catchup",     "on_failure",  "on_exit", "timeout", "outputs"};
const std::vector<std::string> kDefaultsKeys = {"retries",         "retry_delay", "backoff",
                                                "max_retry_delay", "timeout",     "isolation",
                                                "memory_limit",    "pool",        "priority"};
const std::vector<std::string> kTaskKeys = {
    "name",          "uses",    "with",      "depends_on",   "retries",         "retry_delay",
    "backoff",       "timeout", "isolation", "memory_limit", "max_retry_delay", "trigger_rule",
    "allow_failure", "if",      "pool",      "priority"};
// Every key a task may have.
const std::vector<std::string>& task_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> all = kTaskKeys;
    all.insert(all.end(), fan_out_keys().begin(), fan_out_keys().end());
    return all;
  }();
  return keys;
}
// Task keys that `defaults:` refuses with a reason rather than as unknown.
const std::vector<std::string> kTaskOnlyKeys = {"trigger_rule", "allow_failure"};

// Reads one manifest; each method handles one section and reports into diagnostics_.
class Reader : private YamlFieldReader {
 public:
  explicit Reader(DiagnosticList* diagnostics)
      : YamlFieldReader(diagnostics), diagnostics_(diagnostics) {}

  Manifest read(const YamlNode& root) {
    Manifest manifest;
    manifest.file = diagnostics_->file();
    if (root.is_null() && root.location().line == 0) {  // no document at all
      diagnostics_->add({1, 1},
                        "the manifest is empty: write a map with at least `name` and `tasks`");
      return manifest;
    }
    if (!root.is_map()) {
      error(root, "a manifest must be a map with at least `name` and `tasks`");
      return manifest;
    }
    check_keys(root, kTopKeys, "at the top level");
    read_header(root, &manifest);
    read_schedule(root, &manifest);
    if (YamlNode node = root.find("secrets")) read_secrets(node, &manifest);
    TaskSpec defaults;  // only its policy fields: retries, timeout, isolation, memory_limit
    if (YamlNode node = root.find("defaults")) {
      if (expect_map(node, "defaults")) read_defaults(node, &defaults);
    }
    YamlNode tasks = root.find("tasks");
    if (!tasks) {
      error(root, "missing `tasks`: a list of tasks, each with `name` and `uses`");
    } else if (!tasks.is_sequence()) {
      error(tasks, "`tasks` must be a list of tasks");
    } else {
      manifest.tasks.reserve(tasks.size());
      for (size_t i = 0; i < tasks.size(); ++i) {
        manifest.tasks.push_back(read_task(tasks.item(i), defaults, TaskRole::kTask));
      }
    }
    read_handlers(root, TaskRole::kOnFailure, defaults, &manifest);
    read_handlers(root, TaskRole::kOnExit, defaults, &manifest);
    read_run_timeout(root, &manifest);
    if (YamlNode node = root.find("outputs")) read_workflow_outputs(node, &manifest, diagnostics_);
    return manifest;
  }

 private:
  void read_header(const YamlNode& root, Manifest* manifest) {
    YamlNode name = root.find("name");
    if (!name) {
      error(root, "missing `name`: the workflow's name (it also names the state file)");
    } else if (auto s = read_string(name, "name")) {
      manifest->name = *s;
      manifest->name_location = name.location();
      if (!is_valid_name(*s)) {
        error(name, "workflow name '" + *s + "' may contain only letters, digits, '_' and '-'");
      }
    }
    if (YamlNode d = root.find("description")) {
      if (auto s = read_string(d, "description")) manifest->description = *s;
    }
    if (YamlNode w = root.find("max_workers")) {
      if (auto n = read_integer(w, "max_workers")) {
        if (*n < 1 || *n > 1024) {
          error(w, "`max_workers` must be between 1 and 1024");
        } else {
          manifest->max_workers = static_cast<int>(*n);
        }
      }
    }
    if (YamlNode p = root.find("params")) {
      if (expect_map(p, "params")) {
        read_workflow_params(p, manifest, diagnostics_);
      }
    }
  }

  void read_schedule(const YamlNode& root, Manifest* manifest) {
    if (YamlNode n = root.find("schedule")) {
      if (auto s = read_string(n, "schedule")) {
        std::string cron_error;
        if (CronSchedule::parse(*s, &cron_error)) {
          manifest->schedule = *s;
          manifest->schedule_location = n.location();
        } else {
          error(n, "`schedule`: '" + *s + "' is not a cron expression: " + cron_error);
        }
      }
    }
    if (YamlNode n = root.find("catchup")) {
      if (auto b = read_bool(n, "catchup")) manifest->catchup = *b;
      if (!root.find("schedule")) {
        error(n, "`catchup` needs a `schedule`: it says whether missed scheduled runs are made up");
      }
    }
  }

  void read_secrets(const YamlNode& node, Manifest* manifest) {
    if (!node.is_sequence()) {
      error(node, "`secrets` must be a list of secret names, e.g. [API_TOKEN]");
      return;
    }
    for (size_t i = 0; i < node.size(); ++i) {
      YamlNode item = node.item(i);
      std::optional<std::string> name = read_string(item, "secrets");
      if (!name) continue;
      if (!is_valid_secret_name(*name)) {
        error(item, "secret name '" + *name +
                        "' must start with a letter or '_' and hold only letters, digits and '_' "
                        "(it is also part of an environment variable's name)");
        continue;
      }
      auto earlier = std::find_if(manifest->secrets.begin(), manifest->secrets.end(),
                                  [&](const SecretDecl& s) { return s.name == *name; });
      if (earlier != manifest->secrets.end()) {
        error(item, "secret '" + *name + "' is listed twice (first at line " +
                        std::to_string(earlier->location.line) + ")");
        continue;
      }
      manifest->secrets.push_back({*name, item.location()});
    }
  }

  void read_defaults(const YamlNode& node, TaskSpec* defaults) {
    std::vector<std::string> accepted = kDefaultsKeys;
    accepted.insert(accepted.end(), kTaskOnlyKeys.begin(), kTaskOnlyKeys.end());
    accepted.insert(accepted.end(), fan_out_keys().begin(), fan_out_keys().end());
    check_keys(node, accepted, "in defaults");
    refuse_fan_out_defaults(node, diagnostics_);
    for (const std::string& key : kTaskOnlyKeys) {
      if (YamlNode n = node.find(key)) {
        error(n, "`" + key + "` cannot be a default: it says how one task relates to its " +
                     "upstream tasks; set it on each task that needs it");
      }
    }
    read_policy(node, defaults);
  }

  // `on_failure:` or `on_exit:`: handlers, read as tasks and appended after them.
  void read_handlers(const YamlNode& root, TaskRole role, const TaskSpec& defaults,
                     Manifest* manifest) {
    std::string key = task_role_list(role);
    YamlNode list = root.find(key);
    if (!list || list.is_null()) return;
    if (!list.is_sequence()) {
      error(list, "`" + key + "` must be a list of handler tasks, each with `name` and `uses`");
      return;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      manifest->tasks.push_back(read_task(list.item(i), defaults, role));
    }
  }

  void read_run_timeout(const YamlNode& root, Manifest* manifest) {
    YamlNode n = root.find("timeout");
    if (!n) return;
    manifest->timeout_location = n.location();
    std::optional<Millis> d = read_duration(n, "timeout");
    if (!d) return;
    if (d->count() == 0) {
      error(n, "the run's `timeout` must be longer than 0 (leave it out for no deadline)");
      return;
    }
    manifest->timeout = *d;
  }

  // `trigger_rule` and `allow_failure`: how a task relates to its upstream tasks' outcomes.
  void read_failure_handling(const YamlNode& item, TaskSpec* task) {
    if (YamlNode n = item.find("trigger_rule")) {
      task->trigger_rule_location = n.location();
      std::string value = n.is_scalar() ? std::string(n.scalar()) : "";
      std::optional<TriggerRule> rule = parse_trigger_rule(value);
      if (!rule) {
        error(n, "`trigger_rule` must be one of " + join(trigger_rule_names()) +
                     did_you_mean(value, trigger_rule_names()));
      } else if (*rule != TriggerRule::kAllSuccess && task->depends_on.empty()) {
        error(n, describe_task(*task) + ": `trigger_rule: " + value +
                     "` needs `depends_on`: without upstream tasks there is nothing to wait "
                     "for (list the tasks it follows, or remove the rule)");
      } else {
        task->trigger_rule = *rule;
      }
    }
    if (YamlNode n = item.find("allow_failure")) {
      if (auto b = read_bool(n, "allow_failure")) task->allow_failure = *b;
    }
  }

  // `pool` and `priority` (workflows/FORMAT.md, "Pools"); whether the pool is declared is a
  // question for the command that runs it.
  void read_pool(const YamlNode& map, TaskSpec* task) {
    if (YamlNode n = map.find("pool")) {
      std::optional<std::string> name = read_string(n, "pool");
      if (name && !is_valid_name(*name)) {
        error(n, "pool name '" + *name + "' may contain only letters, digits, '_' and '-'");
      } else if (name) {
        task->pool = *name;
        task->pool_location = n.location();
      }
    }
    if (YamlNode n = map.find("priority")) {
      if (auto v = read_integer(n, "priority")) {
        if (*v < -1000000 || *v > 1000000) {
          error(n, "`priority` must be between -1000000 and 1000000 (higher starts first)");
        } else {
          task->priority = static_cast<int>(*v);
        }
      }
    }
  }

  // The keys `defaults` and a task share.
  void read_policy(const YamlNode& map, TaskSpec* task) {
    read_pool(map, task);
    RetryPolicy* retry = &task->retry;
    std::optional<Millis>* timeout = &task->timeout;
    if (YamlNode n = map.find("isolation")) {
      std::string value = n.is_scalar() ? std::string(n.scalar()) : "";
      task->isolation_given = value == "in-process" || value == "process";
      if (value == "in-process") {
        task->isolation = Isolation::kInProcess;
      } else if (value == "process") {
        task->isolation = Isolation::kProcess;
      } else {
        error(n,
              "`isolation` must be 'in-process' (the default) or 'process' (a child process "
              "per attempt, which a crashing plugin cannot take the host down from)" +
                  did_you_mean(value, {"in-process", "process"}));
      }
    }
    if (YamlNode n = map.find("memory_limit")) {
      std::optional<uint64_t> bytes =
          n.is_scalar() ? parse_byte_size(n.scalar()) : std::optional<uint64_t>();
      if (!bytes || *bytes < (1u << 20)) {
        error(n, "`memory_limit` must be a size of at least 1MiB, such as 512MB");
      } else {
        task->memory_limit = bytes;
      }
    }
    if (YamlNode n = map.find("retries")) {
      if (auto v = read_integer(n, "retries")) {
        if (*v < 0 || *v > 1000) {
          error(n, "`retries` must be between 0 and 1000 (it counts attempts after the first)");
        } else {
          retry->retries = static_cast<int>(*v);
        }
      }
    }
    if (YamlNode n = map.find("retry_delay")) {
      if (auto d = read_duration(n, "retry_delay")) retry->retry_delay = *d;
    }
    if (YamlNode n = map.find("max_retry_delay")) {
      if (auto d = read_duration(n, "max_retry_delay")) retry->max_retry_delay = *d;
    }
    if (YamlNode n = map.find("backoff")) {
      std::string value = n.is_scalar() ? std::string(n.scalar()) : "";
      if (value == "fixed") {
        retry->backoff = Backoff::kFixed;
      } else if (value == "exponential") {
        retry->backoff = Backoff::kExponential;
      } else {
        error(n, "`backoff` must be 'fixed' or 'exponential'" +
                     did_you_mean(value, {"fixed", "exponential"}));
      }
    }
    if (YamlNode n = map.find("timeout")) {
      if (auto d = read_duration(n, "timeout")) {
        if (d->count() == 0) {
          error(n, "`timeout` must be longer than 0 (leave it out for no timeout)");
        } else {
          *timeout = *d;
        }
      }
    }
  }

  static std::string kind_of(TaskRole role) {
    return role == TaskRole::kTask ? "task" : task_role_list(role) + " handler";
  }

  TaskSpec read_task(const YamlNode& item, const TaskSpec& defaults, TaskRole role) {
    TaskSpec task;
    task.role = role;
    task.location = item.location();
    task.retry = defaults.retry;
    task.timeout = defaults.timeout;
    task.isolation = defaults.isolation;
    task.isolation_given = defaults.isolation_given;
    task.memory_limit = defaults.memory_limit;
    task.pool = defaults.pool;
    task.pool_location = defaults.pool_location;
    task.priority = defaults.priority;
    if (!item.is_map()) {
      error(item, "each " + kind_of(role) + " must be a map with at least `name` and `uses`");
      return task;
    }
    check_keys(item, task_keys(),
               role == TaskRole::kTask ? std::string("in a task") : "in an " + kind_of(role));
    if (YamlNode n = item.find("name")) {
      if (auto s = read_string(n, "name")) {
        task.name = *s;
        task.location = n.location();
        if (!is_valid_name(*s)) {
          error(n, "task name '" + *s + "' may contain only letters, digits, '_' and '-'");
        }
      }
    } else {
      error(item, kind_of(role) + " is missing `name`");
    }
    if (YamlNode n = item.find("uses")) {
      task.uses_location = n.location();
      if (auto s = read_string(n, "uses")) task.uses = *s;
    } else {
      error(item, describe_task(task) + " is missing `uses` (e.g. uses: builtin.noop)");
    }
    if (YamlNode n = item.find("with")) {
      if (n.is_map()) {
        task.with = yaml_to_json(n, "", &task.with_locations, diagnostics_);
      } else if (!n.is_null()) {
        error(n, "`with` must be a map of parameter names to values");
      }
    }
    if (YamlNode n = item.find("depends_on")) read_depends_on(n, &task);
    if (YamlNode n = item.find("if")) read_condition(n, &task);
    read_fan_out(item, &task, diagnostics_);
    read_failure_handling(item, &task);
    read_policy(item, &task);
    if (task.memory_limit && task.isolation != Isolation::kProcess) {
      if (YamlNode n = item.find("memory_limit")) {
        error(n, "`memory_limit` needs `isolation: process`: a task in the host shares its memory");
      }
    }
    return task;
  }

  // Parses the expression here, so its syntax errors come with the reader's; its types need
  // the whole manifest and are checked by the validator.
  void read_condition(const YamlNode& node, TaskSpec* task) {
    if (!node.is_scalar()) {
      error(node, "`if` must be an expression, e.g. if: params.target == 'prod'" +
                      std::string(node.is_null() ? " (it is empty)" : ""));
      return;
    }
    TaskCondition condition;
    condition.source = std::string(node.scalar());
    condition.location = node.location();
    YamlScalarStyle style = node.scalar_style();
    condition.quote = style == YamlScalarStyle::kSingleQuoted   ? '\''
                      : style == YamlScalarStyle::kDoubleQuoted ? '"'
                                                                : 0;
    condition.single_line = node.scalar_single_line() && style != YamlScalarStyle::kBlock;
    try {
      condition.expression = expr::parse_expression(condition.source);
    } catch (const expr::ExprError& e) {
      report_condition_error(task->name, condition, e, diagnostics_);
    }
    task->condition = std::make_shared<const TaskCondition>(std::move(condition));
  }

  void read_depends_on(const YamlNode& node, TaskSpec* task) {
    if (!node.is_sequence()) {
      error(node, "`depends_on` must be a list of task names, e.g. [extract]");
      return;
    }
    task->depends_on.reserve(node.size());
    task->depends_on_locations.reserve(node.size());
    for (size_t i = 0; i < node.size(); ++i) {
      YamlNode dep = node.item(i);
      if (auto s = read_string(dep, "depends_on")) {
        task->depends_on.push_back(std::move(*s));
        task->depends_on_locations.push_back(dep.location());
      }
    }
  }

  DiagnosticList* diagnostics_;
};

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_valid_secret_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Manifest parse_manifest(std::string_view yaml, const std::string& file,
                        DiagnosticList* diagnostics) {
  std::optional<YamlTree> tree = load_manifest_document(yaml, diagnostics);
  if (!tree) {
    Manifest empty;
    empty.file = file;
    return empty;
  }
  return Reader(diagnostics).read(tree->root());
}

void apply_default_isolation(std::vector<TaskSpec>* tasks, Isolation isolation) {
  for (TaskSpec& task : *tasks) {
    if (!task.isolation_given) task.isolation = isolation;
  }
}

Manifest read_manifest_document(const YamlTree& document, DiagnosticList* diagnostics) {
  return Reader(diagnostics).read(document.root());
}

std::optional<std::string> read_manifest_text(const std::filesystem::path& path,
                                              DiagnosticList* diagnostics) {
  return read_text_file(path, "manifest", diagnostics);
}

Manifest read_manifest(const std::filesystem::path& path, DiagnosticList* diagnostics) {
  std::optional<std::string> text = read_manifest_text(path, diagnostics);
  if (!text) {
    Manifest empty;
    empty.file = diagnostics->file();
    return empty;
  }
  return parse_manifest(*text, diagnostics->file(), diagnostics);
}

}  // namespace flowweaver
