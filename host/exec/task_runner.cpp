#include "exec/task_runner.h"

namespace flowweaver {

const char* to_string(AttemptOutcome::Kind kind) {
  switch (kind) {
    case AttemptOutcome::Kind::kOk:
      return "ok";
    case AttemptOutcome::Kind::kRetryable:
      return "retryable";
    case AttemptOutcome::Kind::kPermanent:
      return "permanent";
  }
  return "permanent";
}

AttemptOutcome::Kind parse_outcome_kind(std::string_view name) {
  if (name == "ok") return AttemptOutcome::Kind::kOk;
  if (name == "retryable") return AttemptOutcome::Kind::kRetryable;
  return AttemptOutcome::Kind::kPermanent;
}

}  // namespace flowweaver
