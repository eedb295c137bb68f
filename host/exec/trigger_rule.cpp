#include "exec/trigger_rule.h"

namespace flowweaver {

void UpstreamTally::add(UpstreamOutcome outcome) {
  --unsettled;
  switch (outcome) {
    case UpstreamOutcome::kSucceeded:
      ++succeeded;
      break;
    case UpstreamOutcome::kSkipped:
      ++skipped;
      break;
    case UpstreamOutcome::kFailed:
      ++failed;
      break;
    case UpstreamOutcome::kAllowedFailure:
      ++allowed_failures;
      break;
    case UpstreamOutcome::kUpstreamFailed:
      ++upstream_failed;
      break;
  }
}

TriggerDecision decide_trigger(TriggerRule rule, const UpstreamTally& t) {
  const bool all_done = t.unsettled == 0;
  // A failure that fails the run, directly upstream or further up.
  const bool run_failures = t.failed + t.upstream_failed > 0;
  switch (rule) {
    case TriggerRule::kAllSuccess:
      if (run_failures) return TriggerDecision::kSkipUpstreamFailed;
      if (t.skipped + t.allowed_failures > 0) return TriggerDecision::kSkip;
      return all_done ? TriggerDecision::kRun : TriggerDecision::kWait;
    case TriggerRule::kAllFailed:
      if (t.succeeded + t.skipped > 0) return TriggerDecision::kSkip;
      return all_done ? TriggerDecision::kRun : TriggerDecision::kWait;
    case TriggerRule::kAllDone:
      return all_done ? TriggerDecision::kRun : TriggerDecision::kWait;
    case TriggerRule::kOneSuccess:
      if (t.succeeded > 0) return TriggerDecision::kRun;
      if (!all_done) return TriggerDecision::kWait;
      return run_failures ? TriggerDecision::kSkipUpstreamFailed : TriggerDecision::kSkip;
    case TriggerRule::kOneFailed:
      if (run_failures || t.allowed_failures > 0) return TriggerDecision::kRun;
      return all_done ? TriggerDecision::kSkip : TriggerDecision::kWait;
    case TriggerRule::kNoneFailed:
      if (run_failures) return TriggerDecision::kSkipUpstreamFailed;
      return all_done ? TriggerDecision::kRun : TriggerDecision::kWait;
  }
  return TriggerDecision::kWait;
}

UpstreamOutcome skipped_outcome(TriggerDecision decision) {
  return decision == TriggerDecision::kSkipUpstreamFailed ? UpstreamOutcome::kUpstreamFailed
                                                          : UpstreamOutcome::kSkipped;
}

}  // namespace flowweaver
