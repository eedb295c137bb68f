// A ServiceReader (service/views/service_reader.h) over workflows that are only names, for unit
// tests of the views: each state read goes to the store the test gives (a NullStore unless
// told), and is recorded.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "null_store.h"
#include "service/views/service_reader.h"

namespace flowweaver::testing {

class FakeServiceReader : public ServiceReader {
 public:
  explicit FakeServiceReader(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      auto workflow = std::make_shared<Workflow>();
      workflow->manifest.name = name;
      workflows_.push_back({workflow, name + ".yaml", std::nullopt});
    }
  }

  std::vector<ServedWorkflow> served_workflows() const override { return workflows_; }
  std::optional<ServedWorkflow> served_workflow(const std::string& name) const override {
    for (const ServedWorkflow& w : workflows_) {
      if (w.workflow->manifest.name == name) return w;
    }
    return std::nullopt;
  }
  std::map<std::string, std::string> active_run_ids() const override { return {}; }
  std::shared_ptr<const PluginRegistry> plugin_registry() const override { return nullptr; }
  bool read_state(const std::string& workflow,
                  const std::function<void(StateStore&)>& read) const override {
    reads.push_back(workflow);
    reading = workflow;
    NullStore null_store;
    read(store_for ? store_for(workflow) : null_store);
    return true;
  }
  std::optional<TimePoint> last_success(const std::string&) const override {
    return kept_last_success;
  }
  RunIndex& run_index() const override { return index_; }
  TimePoint now() const override { return TimePoint(); }

  std::function<StateStore&(const std::string& workflow)> store_for;  // null: a NullStore
  std::optional<TimePoint> kept_last_success;                         // what last_success() answers
  mutable std::vector<std::string> reads;  // the workflows whose state was read, in order
  mutable std::string reading;             // the one being read

 private:
  std::vector<ServedWorkflow> workflows_;
  mutable RunIndex index_;
};

}  // namespace flowweaver::testing
