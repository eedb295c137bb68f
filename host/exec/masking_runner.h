// Hides secrets in what attempts return: every output and error passes through here before the
// scheduler stores it, logs it, hands it to observers (the service's metrics and API) or to
// dependent tasks, so a secret a task prints never leaves memory. The task itself received the
// real value; only what comes back is masked.
#pragma once

#include "exec/task_runner.h"
#include "util/secret_mask.h"

namespace flowweaver {

class MaskingRunner : public TaskRunner {
 public:
  // Both must outlive the runner.
  MaskingRunner(TaskRunner& inner, const SecretMask& mask) : inner_(inner), mask_(mask) {}

  AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item, Cancellation& cancellation,
                     const OutputTable& outputs) override;

 private:
  TaskRunner& inner_;
  const SecretMask& mask_;
};

}  // namespace flowweaver
