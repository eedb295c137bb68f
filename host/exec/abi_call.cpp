#include "exec/abi_call.h"

#include <algorithm>

#include "exec/output_check.h"

namespace flowweaver {
namespace {

// What the host callbacks of one call reach through host_data.
struct CallState {
  const AbiCall* call;
  std::string output, error;
  bool output_set = false;
  std::optional<Millis> retry_after;
};

CallState& state_of(void* host_data) { return *static_cast<CallState*>(host_data); }

void host_log(void* data, fw_log_level level, const char* message, size_t len) {
  const AbiCall& call = *state_of(data).call;
  if (call.log) call.log(level, std::string_view(message ? message : "", message ? len : 0));
}

int host_is_cancelled(void* data) { return state_of(data).call->cancellation->cancelled() ? 1 : 0; }

int host_wait_cancelled(void* data, uint64_t timeout_ms) {
  return state_of(data).call->cancellation->wait_for(Millis(timeout_ms)) ? 1 : 0;
}

const char* host_input(void* data, const char* upstream, size_t* len) {
  const AbiCall& call = *state_of(data).call;
  if (upstream == nullptr || !call.input) return nullptr;
  const std::string* text = call.input(upstream);
  if (text == nullptr) return nullptr;
  if (len) *len = text->size();
  return text->c_str();
}

void host_set_output(void* data, const char* json, size_t len) {
  CallState& s = state_of(data);
  s.output.assign(json ? json : "", json ? len : 0);
  s.output_set = true;
}

void host_set_error(void* data, const char* message, size_t len) {
  state_of(data).error.assign(message ? message : "", message ? len : 0);
}

void host_set_retry_after(void* data, uint64_t delay_ms) {
  // Far beyond any max_retry_delay, and small enough for Millis not to overflow.
  constexpr uint64_t kLongest = uint64_t{1} << 40;
  state_of(data).retry_after = Millis(static_cast<Millis::rep>(std::min(delay_ms, kLongest)));
}

AttemptOutcome failure(AttemptOutcome::Kind kind, std::string error) {
  return {kind, "", std::move(error)};
}

// The output of a call that succeeded. Output that is not UTF-8 or not JSON would be the same
// on every attempt, so it fails the task at once, saying whose bug it is.
AttemptOutcome checked_output(const AbiCall& c, CallState& state) {
  if (!state.output_set) return {AttemptOutcome::Kind::kOk, "null", ""};
  if (std::optional<std::string> problem = output_text_problem(state.output)) {
    return failure(AttemptOutcome::Kind::kPermanent,
                   "plugin '" + c.plugin + "' (task type '" + c.task_type +
                       "') returned output that " + *problem +
                       "; this is a bug in the plugin, not retried");
  }
  return {AttemptOutcome::Kind::kOk, std::move(state.output), ""};
}

}  // namespace

AttemptOutcome call_task_type(const AbiCall& c) {
  CallState state{&c, {}, {}, false, std::nullopt};
  fw_host host{sizeof(fw_host),     &state,     host_log,        host_is_cancelled,
               host_wait_cancelled, host_input, host_set_output, host_set_error,
               host_set_retry_after};
  fw_call call{sizeof(fw_call),
               c.task_name.c_str(),
               c.params_json.c_str(),
               c.params_json.size(),
               static_cast<uint32_t>(c.attempt),
               &host};
  fw_outcome outcome;
  try {
    outcome = c.type->run(c.type->task_data, &call);
  } catch (...) {
    // The ABI forbids this; a plugin built without the SDK's trampolines may still do it.
    return failure(AttemptOutcome::Kind::kPermanent,
                   c.label + " let an exception escape the plugin boundary");
  }
  switch (outcome) {
    case FW_OUTCOME_OK:
      return checked_output(c, state);
    case FW_OUTCOME_PERMANENT:
      return failure(AttemptOutcome::Kind::kPermanent,
                     state.error.empty() ? "failed (no message)" : state.error);
    case FW_OUTCOME_RETRYABLE:
      return {AttemptOutcome::Kind::kRetryable, "",
              state.error.empty() ? "failed (no message)" : state.error, state.retry_after};
    default:
      break;
  }
  return failure(AttemptOutcome::Kind::kPermanent,
                 "plugin returned an unknown outcome " + std::to_string(static_cast<int>(outcome)));
}

}  // namespace flowweaver
