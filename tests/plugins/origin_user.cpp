// origin.answer: returns {"answer": 42}, computed by liborigin_helper.so, a library found only
// through this plugin's `$ORIGIN` RUNPATH (it sits beside the plugin, nowhere on the system
// path). Loading it proves the host resolves $ORIGIN to the plugin's own directory.
#include <flowweaver/sdk.hpp>

extern "C" int origin_helper_answer(void);

namespace {

class Answer : public flowweaver::Task {
 public:
  flowweaver::Json run(flowweaver::Context&) override {
    return {{"answer", origin_helper_answer()}};
  }
};

}  // namespace

FLOWWEAVER_PLUGIN(origin, "0.0.1") {
  plugin.task<Answer>("answer", "Returns what the bundled library computes");
}
