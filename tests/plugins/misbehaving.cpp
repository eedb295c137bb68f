// C++ SDK task types that do what a task should not, to prove the SDK and the host contain it:
// each fails its own task with a clear message and the host goes on running the others.
#include <flowweaver/sdk.hpp>
#include <limits>

namespace {

using flowweaver::Context;
using flowweaver::Json;

class ThrowsInt : public flowweaver::Task {
 public:
  Json run(Context&) override { throw 42; }
};

class MissingParam : public flowweaver::Task {
 public:
  Json run(Context& ctx) override { return ctx.param("missing"); }
};

class NotUpstream : public flowweaver::Task {
 public:
  Json run(Context& ctx) override { return ctx.input("not_upstream"); }
};

// NaN and Infinity, which Json::dump would write as null without a word.
class NanOutput : public flowweaver::Task {
 public:
  Json run(Context&) override {
    return {{"stats", {{"n", 0}, {"mean", std::numeric_limits<double>::quiet_NaN()}}}};
  }
};

class InfiniteOutput : public flowweaver::Task {
 public:
  Json run(Context&) override {
    return {{"values", {1.5, -std::numeric_limits<double>::infinity()}}};
  }
};

// A string with a Latin-1 byte, which Json::dump refuses.
class Latin1Output : public flowweaver::Task {
 public:
  Json run(Context&) override { return {{"name", "caf\xe9"}}; }
};

// The typed accessors, and the untyped ones beside them (source compatibility).
class TypedParam : public flowweaver::Task {
 public:
  Json run(Context& ctx) override {
    return {{"n", ctx.param<int>("n")},
            {"m", ctx.param_or<int>("m", 7)},
            {"untyped", ctx.param("n").get<int>()},
            {"untyped_or", ctx.param_or("absent", 5)}};
  }
};

}  // namespace

FLOWWEAVER_PLUGIN(misbehaving, "0.0.1") {
  plugin.task<ThrowsInt>("throw_int", "Throws an int, which is no std::exception");
  plugin.task<MissingParam>("missing_param", "Reads a parameter that `with:` does not give");
  plugin.task<NotUpstream>("not_upstream", "Reads the output of a task it does not depend on");
  plugin.task<NanOutput>("nan_output", "Returns NaN in a nested field");
  plugin.task<InfiniteOutput>("infinite_output", "Returns -Infinity in a list");
  plugin.task<Latin1Output>("latin1_output", "Returns a string that is not UTF-8");
  plugin.task<TypedParam>("typed_param", "Reads n as an int, m as an int with a fallback")
      .open_params();
}
