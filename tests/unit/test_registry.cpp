#include "test_registry.h"

#include <memory>

namespace flowweaver::testing {
namespace {

using flowweaver::Context;
using flowweaver::Json;
using flowweaver::ParamType;

struct Noop : Task {
  Json run(Context&) override { return nullptr; }
};
struct Echo : Task {
  Json run(Context& ctx) override { return ctx.params(); }
};
struct Fail : Task {
  Json run(Context& ctx) override {
    if (ctx.param("permanent").get<bool>()) throw PermanentError("permanent failure");
    throw std::runtime_error("transient failure");
  }
};
struct Block : Task {
  Json run(Context& ctx) override {
    while (!ctx.cancelled()) ctx.sleep_for(std::chrono::milliseconds(5));
    throw std::runtime_error("cancelled");
  }
};

}  // namespace

PluginRegistry test_registry() {
  static auto builder = [] {
    auto b = std::make_unique<PluginBuilder>("test", "0.0.1");
    b->task<Noop>("noop", "does nothing");
    b->task<Echo>("echo", "returns its with").open_params();
    b->task<Noop>("sleep", "needs a duration")
        .required("duration", ParamType::Duration, "how long");
    b->task<Echo>("typed", "one param of each type")
        .required("s", ParamType::String, "a string")
        .required("i", ParamType::Integer, "an integer")
        .required("n", ParamType::Number, "a number")
        .required("b", ParamType::Boolean, "a boolean")
        .required("o", ParamType::Object, "an object")
        .required("a", ParamType::Array, "an array")
        .required("d", ParamType::Duration, "a duration")
        .optional("opt", ParamType::Integer, 7, "an optional integer");
    b->task<Fail>("fail", "always fails")
        .optional("permanent", ParamType::Boolean, false, "fail permanently");
    b->task<Block>("block", "waits until cancelled");
    return b;
  }();
  PluginRegistry registry;
  registry.add(std::make_shared<const LoadedPlugin>(builder->descriptor(), "test.so", nullptr));
  return registry;
}

}  // namespace flowweaver::testing
