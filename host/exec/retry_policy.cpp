#include "exec/retry_policy.h"

#include <algorithm>

namespace flowweaver {

Millis retry_delay(const RetryPolicy& policy, int failures, double jitter_unit) {
  double base = static_cast<double>(policy.retry_delay.count());
  double cap = static_cast<double>(policy.max_retry_delay.count());
  double delay = base;
  if (policy.backoff == Backoff::kExponential) {
    for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  }
  delay = std::min(delay, cap);
  double jitter = std::clamp(jitter_unit, 0.0, 1.0) * 0.2;
  return Millis(static_cast<long long>(delay * (1.0 - jitter)));
}

}  // namespace flowweaver
