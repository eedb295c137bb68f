#include "exec/masking_runner.h"

namespace flowweaver {

AttemptOutcome MaskingRunner::run(uint32_t task, int attempt, Cancellation& cancellation,
                                  const OutputTable& outputs) {
  AttemptOutcome outcome = inner_.run(task, attempt, cancellation, outputs);
  if (mask_.empty()) return outcome;
  if (!outcome.output.empty()) outcome.output = mask_.mask_json(outcome.output);
  outcome.error = mask_.mask(outcome.error);
  return outcome;
}

}  // namespace flowweaver
