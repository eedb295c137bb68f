#include <flowweaver/sdk.hpp>

class Greet : public flowweaver::Task {
 public:
  flowweaver::Json run(flowweaver::Context& ctx) override {
    std::string who = ctx.param("who").get<std::string>();  // a value from `with:`
    flowweaver::Json up = ctx.input("extract");             // an upstream task's output
    ctx.log("info", "greeting " + who);
    if (ctx.cancelled()) throw flowweaver::PermanentError("cancelled");
    return {{"greeting", "hello " + who}, {"attempt", ctx.attempt()}};
  }
};

FLOWWEAVER_PLUGIN(greeter, "1.2.0") {
  plugin.task<Greet>("greet", "Says hello to someone")
      .required("who", flowweaver::ParamType::String, "Who to greet");
}
