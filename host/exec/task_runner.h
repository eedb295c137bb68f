// Runs one attempt of one task. The scheduler decides when and how often; a runner only knows
// how (in this process through the C ABI today; in a child process later).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exec/cancellation.h"
#include "exec/task_item.h"

namespace flowweaver {

struct AttemptOutcome {
  enum class Kind { kOk, kRetryable, kPermanent };
  AttemptOutcome() = default;
  AttemptOutcome(Kind kind, std::string output, std::string error,
                 std::optional<Millis> retry_after = std::nullopt)
      : kind(kind), output(std::move(output)), error(std::move(error)), retry_after(retry_after) {}

  Kind kind = Kind::kOk;
  std::string output;  // JSON text when kOk
  std::string error;   // why, otherwise
  // When kRetryable: the least wait the task asked for before its next attempt (a server's
  // Retry-After, through fw_host.set_retry_after). The scheduler's fail_attempt weighs it.
  std::optional<Millis> retry_after;
};

// "ok", "retryable", "permanent": an outcome's kind as another process or host is told it.
const char* to_string(AttemptOutcome::Kind kind);
// The kind of such a name; an unknown name is permanent (nothing to retry on a word not ours).
AttemptOutcome::Kind parse_outcome_kind(std::string_view name);

// The outputs of completed tasks, indexed like the manifest's tasks. A runner may read the
// output of any upstream of the task it runs: those are complete and no longer change.
using OutputTable = std::vector<std::string>;

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  // Called from worker threads, concurrently. Must not throw: every failure is an outcome.
  // `item`: the call is one item of foreach or matrix task `task` (exec/task_item.h); null for
  // a plain task.
  virtual AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item,
                             Cancellation& cancellation, const OutputTable& outputs) = 0;
};

}  // namespace flowweaver
