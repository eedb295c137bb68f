// The scheduler's question to a task's `if:` once the task's trigger rule lets it run. The
// scheduler knows nothing of expressions: the engine answers with the manifest's conditions.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "state/state_store.h"

namespace flowweaver {

struct ConditionVerdict {
  enum class Kind {
    kRun,
    kSkip,  // SKIPPED with `reason` (e.g. "condition false")
    kFail,  // FAILED, not retried, with `reason`: the condition could not be evaluated
  };
  Kind kind = Kind::kRun;
  std::string reason;
};

// `records`: every task as the scheduler knows it now; an upstream's output is its `result`.
using ConditionCheck =
    std::function<ConditionVerdict(uint32_t task, const std::vector<TaskRecord>& records)>;

}  // namespace flowweaver
