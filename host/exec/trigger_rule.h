// The trigger rules: given how a task's upstream tasks have settled so far, whether it runs, is
// skipped or waits. Pure; the table it implements is in workflows/FORMAT.md ("Trigger rules").
#pragma once

#include <cstdint>

#include "manifest/manifest.h"

namespace flowweaver {

// How a settled upstream task ended, as its dependents see it.
enum class UpstreamOutcome {
  kSucceeded,       // COMPLETED
  kSkipped,         // SKIPPED: its condition was false, its rule skipped it, or an allowed
                    // failure upstream did
  kFailed,          // FAILED, and the run fails with it
  kAllowedFailure,  // FAILED with allow_failure: the run does not fail with it
  kUpstreamFailed,  // SKIPPED because a failure upstream (kFailed) made it pointless
};

// Counts of a task's upstream tasks by outcome; `unsettled` have not ended yet.
struct UpstreamTally {
  uint32_t succeeded = 0;
  uint32_t skipped = 0;
  uint32_t failed = 0;
  uint32_t allowed_failures = 0;
  uint32_t upstream_failed = 0;
  uint32_t unsettled = 0;

  void add(UpstreamOutcome outcome);
};

enum class TriggerDecision {
  kWait,
  kRun,
  kSkip,                // SKIPPED, seen downstream as kSkipped
  kSkipUpstreamFailed,  // SKIPPED, seen downstream as kUpstreamFailed
};

// What `rule` says about a task whose upstream tasks stand as `tally`. A decision other than
// kWait is final: the scheduler asks once per upstream that settles and acts on the first.
TriggerDecision decide_trigger(TriggerRule rule, const UpstreamTally& tally);

// The outcome a task's dependents see when it is skipped with `decision`.
UpstreamOutcome skipped_outcome(TriggerDecision decision);

}  // namespace flowweaver
