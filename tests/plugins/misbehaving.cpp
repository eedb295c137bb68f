// C++ SDK task types that do what a task should not, to prove the SDK and the host contain it:
// each fails its own task with a clear message and the host goes on running the others.
#include <flowweaver/sdk.hpp>

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

}  // namespace

FLOWWEAVER_PLUGIN(misbehaving, "0.0.1") {
  plugin.task<ThrowsInt>("throw_int", "Throws an int, which is no std::exception");
  plugin.task<MissingParam>("missing_param", "Reads a parameter that `with:` does not give");
  plugin.task<NotUpstream>("not_upstream", "Reads the output of a task it does not depend on");
}
