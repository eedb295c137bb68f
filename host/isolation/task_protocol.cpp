#include "isolation/task_protocol.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace flowweaver {

using nlohmann::json;

namespace {

// Far beyond any max_retry_delay; a larger value is not from our own task process.
constexpr uint64_t kLongestRetryAfterMs = uint64_t{1} << 40;

}  // namespace

std::string encode_request(const TaskRequest& r) {
  return json{{"task", r.task_name},
              {"attempt", r.attempt},
              {"params", r.params_json},
              {"inputs", r.inputs}}
      .dump();
}

TaskRequest decode_request(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j["task"].is_string() || !j["attempt"].is_number_integer() ||
      !j["params"].is_string() || !j["inputs"].is_object()) {
    throw std::runtime_error("malformed task request");
  }
  TaskRequest r;
  r.task_name = j["task"];
  r.attempt = j["attempt"];
  r.params_json = j["params"];
  r.inputs = j["inputs"].get<std::map<std::string, std::string>>();
  return r;
}

std::string encode_log_line(fw_log_level level, const std::string& message) {
  return json{{"log", {{"level", static_cast<int>(level)}, {"message", message}}}}.dump(
             -1, ' ', false, json::error_handler_t::replace) +
         "\n";
}

std::string encode_result_line(const AttemptOutcome& outcome) {
  json result{
      {"outcome", to_string(outcome.kind)}, {"output", outcome.output}, {"error", outcome.error}};
  if (outcome.retry_after) result["retry_after_ms"] = outcome.retry_after->count();
  return json{{"result", result}}.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<TaskMessage> decode_message_line(const std::string& line) {
  json j = json::parse(line, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  TaskMessage m;
  if (j.contains("log") && j["log"]["level"].is_number_integer() &&
      j["log"]["message"].is_string()) {
    m.log = {static_cast<fw_log_level>(j["log"]["level"].get<int>()), j["log"]["message"]};
    return m;
  }
  if (j.contains("result") && j["result"]["outcome"].is_string() &&
      j["result"]["output"].is_string() && j["result"]["error"].is_string()) {
    std::string kind = j["result"]["outcome"];
    AttemptOutcome outcome;
    outcome.kind = parse_outcome_kind(kind);
    outcome.output = j["result"]["output"];
    outcome.error = j["result"]["error"];
    const json& retry_after = j["result"]["retry_after_ms"];
    if (retry_after.is_number_unsigned() && retry_after.get<uint64_t>() <= kLongestRetryAfterMs) {
      outcome.retry_after = Millis(retry_after.get<int64_t>());
    }
    m.result = outcome;
    return m;
  }
  return std::nullopt;
}

}  // namespace flowweaver
