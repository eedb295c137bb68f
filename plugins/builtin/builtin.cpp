// The builtin plugin: small task types for trying pipelines out and for tests. It is also the
// example to copy when writing a plugin: one class per task type, registered at the bottom.
#include <flowweaver/sdk.hpp>

namespace {

using flowweaver::Context;
using flowweaver::Json;
using flowweaver::ParamType;

class Noop : public flowweaver::Task {
 public:
  Json run(Context&) override { return nullptr; }
};

class Echo : public flowweaver::Task {
 public:
  Json run(Context& ctx) override { return ctx.params(); }
};

class Sleep : public flowweaver::Task {
 public:
  Json run(Context& ctx) override {
    auto duration = ctx.duration_param("duration");
    if (!ctx.sleep_for(duration)) throw std::runtime_error("sleep cancelled");
    return {{"slept_ms", duration.count()}};
  }
};

// Fails its first `times` attempts of a run, then succeeds: exercises retries.
class Fail : public flowweaver::Task {
 public:
  Json run(Context& ctx) override {
    int times = ctx.param<int>("times");
    if (ctx.attempt() > times) return {{"attempt", ctx.attempt()}};
    std::string message =
        ctx.param<std::string>("message") + " (attempt " + std::to_string(ctx.attempt()) + ")";
    if (ctx.param<bool>("permanent")) throw flowweaver::PermanentError(message);
    throw std::runtime_error(message);
  }
};

}  // namespace

FLOWWEAVER_PLUGIN(builtin, "1.0.0") {
  plugin.task<Noop>("noop", "Does nothing and returns null");
  plugin.task<Echo>("echo", "Returns its `with:` object as its output").open_params();
  plugin.task<Sleep>("sleep", "Sleeps for a duration; ends early when cancelled")
      .required("duration", ParamType::Duration, "How long to sleep, e.g. 2s");
  plugin.task<Fail>("fail", "Fails its first `times` attempts of a run, then succeeds")
      .optional("times", ParamType::Integer, 1000000, "Attempts that fail before one succeeds")
      .optional("permanent", ParamType::Boolean, false, "Make each failure permanent (no retry)")
      .optional("message", ParamType::String, "deliberate failure", "The error message");
}
