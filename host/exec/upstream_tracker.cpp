#include "exec/upstream_tracker.h"

#include <cassert>

namespace flowweaver {

UpstreamTracker::UpstreamTracker(const Dag& dag, std::vector<TriggerRule> rules)
    : dag_(dag),
      rules_(std::move(rules)),
      tallies_(dag.size()),
      decided_(dag.size(), 0),
      settled_(dag.size(), 0),
      outcomes_(dag.size(), UpstreamOutcome::kSucceeded) {
  assert(rules_.size() == dag.size());
  for (uint32_t t = 0; t < dag.size(); ++t) {
    tallies_[t].unsettled = static_cast<uint32_t>(dag.upstream(t).size());
  }
}

void UpstreamTracker::settle(uint32_t task, UpstreamOutcome outcome,
                             std::vector<Decided>* decided) {
  assert(!settled_[task]);
  settled_[task] = 1;
  outcomes_[task] = outcome;
  for (uint32_t d : dag_.downstream(task)) {
    tallies_[d].add(outcome);
    TriggerDecision decision = decide(d);
    if (decision != TriggerDecision::kWait) decided->push_back({d, decision});
  }
}

TriggerDecision UpstreamTracker::decide(uint32_t task) {
  if (decided_[task]) return TriggerDecision::kWait;
  TriggerDecision decision = decide_trigger(rules_[task], tallies_[task]);
  if (decision != TriggerDecision::kWait) decided_[task] = 1;
  return decision;
}

}  // namespace flowweaver
