// A plugin whose registration throws: the SDK must turn that into a refused load (a NULL
// descriptor) rather than let the exception end the host.
#include <flowweaver/sdk.hpp>
#include <stdexcept>

namespace {

struct Never : flowweaver::Task {
  flowweaver::Json run(flowweaver::Context&) override { return nullptr; }
};

}  // namespace

FLOWWEAVER_PLUGIN(throwing_registration, "0.0.1") {
  plugin.task<Never>("run", "never registered");
  throw std::runtime_error("registration failed on purpose");
}
