// Follows how each task's upstream tasks settle and tells when a task's trigger rule has made
// up its mind (exec/trigger_rule.h). Each task is decided once: a one_success task that ran on
// its first successful upstream is not asked again when the others end.
#pragma once

#include <cstdint>
#include <vector>

#include "exec/trigger_rule.h"
#include "graph/dag.h"

namespace flowweaver {

class UpstreamTracker {
 public:
  struct Decided {
    uint32_t task;
    TriggerDecision decision;  // never kWait
  };

  // `rules`: per task, in the Dag's numbering.
  UpstreamTracker(const Dag& dag, std::vector<TriggerRule> rules);

  // `task` has ended as `outcome`: appends every dependent whose rule now decides.
  void settle(uint32_t task, UpstreamOutcome outcome, std::vector<Decided>* decided);

  // What `task`'s rule says as things stand; unless kWait, the task counts as decided.
  // kWait once it has been decided already.
  TriggerDecision decide(uint32_t task);

  bool settled(uint32_t task) const { return settled_[task] != 0; }
  // How a settled task ended.
  UpstreamOutcome outcome(uint32_t task) const { return outcomes_[task]; }

 private:
  const Dag& dag_;
  std::vector<TriggerRule> rules_;
  std::vector<UpstreamTally> tallies_;
  std::vector<char> decided_;
  std::vector<char> settled_;
  std::vector<UpstreamOutcome> outcomes_;
};

}  // namespace flowweaver
