// Retry arithmetic, kept pure so it is tested without clocks or threads.
#pragma once

#include "manifest/manifest.h"

namespace flowweaver {

// How long to wait before the next attempt after `failures` failed attempts (1 for the first
// failure). Fixed: retry_delay. Exponential: retry_delay * 2^(failures-1). Both are capped by
// max_retry_delay and then jittered down by up to a fifth (jitter_unit in [0, 1)), so tasks
// that failed together do not all retry in the same instant.
Millis retry_delay(const RetryPolicy& policy, int failures, double jitter_unit);

// Attempts allowed in one run invocation: the first plus `retries`.
inline int max_attempts(const RetryPolicy& policy) { return policy.retries + 1; }

}  // namespace flowweaver
