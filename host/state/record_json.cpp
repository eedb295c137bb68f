#include "state/record_json.h"

#include "util/time_format.h"

namespace flowweaver {

nlohmann::json time_to_json(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_timestamp(*t)) : nlohmann::json(nullptr);
}

std::optional<TimePoint> time_from_json(const nlohmann::json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_string()) return std::nullopt;
  return parse_timestamp(object[key].get<std::string>());
}

nlohmann::json run_to_json(const RunRecord& r) {
  nlohmann::json j = {{"run_id", r.run_id},
                      {"workflow", r.workflow},
                      {"status", to_string(r.status)},
                      {"started_at", format_timestamp(r.started_at)},
                      {"finished_at", time_to_json(r.finished_at)},
                      {"manifest_hash", r.manifest_hash}};
  if (r.params) j["params"] = *r.params;
  if (r.parent) {
    j["parent"] = {
        {"run_id", r.parent->run_id}, {"task", r.parent->task}, {"workflow", r.parent->workflow}};
  }
  return j;
}

nlohmann::json run_status_json(const RunRecord& r) {
  return {{"run_id", r.run_id},
          {"status", to_string(r.status)},
          {"finished_at", time_to_json(r.finished_at)}};
}

nlohmann::json task_summary_json(const TaskRecord& t) {
  nlohmann::json j = {{"task", t.task_name},
                      {"status", to_string(t.status)},
                      {"attempts", t.attempt},
                      {"error", t.error},
                      {"started_at", time_to_json(t.started_at)},
                      {"finished_at", time_to_json(t.finished_at)},
                      {"next_attempt_at", time_to_json(t.next_attempt_at)}};
  if (t.started_at && t.finished_at) {
    j["duration_ms"] = std::chrono::duration_cast<Millis>(*t.finished_at - *t.started_at).count();
  }
  return j;
}

RunRecord run_from_json(const nlohmann::json& j) {
  RunRecord r;
  r.run_id = j.value("run_id", "");
  r.workflow = j.value("workflow", "");
  r.status = parse_run_status(j.value("status", "")).value_or(RunStatus::kFailed);
  r.started_at = time_from_json(j, "started_at").value_or(TimePoint{});
  r.finished_at = time_from_json(j, "finished_at");
  r.manifest_hash = j.value("manifest_hash", "");
  if (j.contains("params") && j["params"].is_object()) r.params = j["params"];
  if (j.contains("parent") && j["parent"].is_object()) {
    const nlohmann::json& p = j["parent"];
    r.parent = RunParent{p.value("run_id", ""), p.value("task", ""), p.value("workflow", "")};
  }
  return r;
}

}  // namespace flowweaver
