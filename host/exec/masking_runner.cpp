#include "exec/masking_runner.h"

namespace flowweaver {

AttemptOutcome MaskingRunner::run(uint32_t task, int attempt, const TaskItem* item,
                                  Cancellation& cancellation, const OutputTable& outputs) {
  AttemptOutcome outcome = inner_.run(task, attempt, item, cancellation, outputs);
  if (mask_.empty()) return outcome;
  if (!outcome.output.empty()) outcome.output = mask_.mask_json(outcome.output);
  outcome.error = mask_.mask(outcome.error);
  return outcome;
}

}  // namespace flowweaver
