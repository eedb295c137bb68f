#include "state/json_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "state/record_json.h"
#include "util/error.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

nlohmann::json task_to_json(const TaskRecord& t) {
  return {{"position", t.position},
          {"status", to_string(t.status)},
          {"attempt", t.attempt},
          {"result", t.result},
          {"error", t.error},
          {"timestamp", format_timestamp(t.timestamp)},
          {"started_at", time_to_json(t.started_at)},
          {"finished_at", time_to_json(t.finished_at)},
          {"next_attempt_at", time_to_json(t.next_attempt_at)}};
}

nlohmann::json attempt_to_json(const AttemptRecord& a) {
  return {{"task_name", a.task_name},
          {"attempt", a.attempt},
          {"status", to_string(a.status)},
          {"error", a.error},
          {"started_at", format_timestamp(a.started_at)},
          {"finished_at", format_timestamp(a.finished_at)}};
}

// A run's object as create_run() writes it: its task rows, no attempts yet.
nlohmann::json new_run_json(const RunRecord& run, const std::vector<TaskRecord>& tasks) {
  nlohmann::json j = run_to_json(run);
  j["tasks"] = nlohmann::json::object();
  j["attempts"] = nlohmann::json::array();
  for (const TaskRecord& t : tasks) j["tasks"][t.task_name] = task_to_json(t);
  return j;
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

JsonStore::JsonStore(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    doc_ = {{"version", kFormatVersion}, {"runs", nlohmann::json::array()}};
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    doc_ = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw Error::State("state file " + path_ + " is not valid JSON (" + e.what() +
                       "); it was left untouched");
  }
  if (!doc_.is_object() || !doc_.contains("runs") || !doc_["runs"].is_array()) {
    throw Error::State("state file " + path_ + " is not a FlowWeaver state file");
  }
  if (doc_.value("version", 0) > kFormatVersion) {
    throw Error::State("state file " + path_ + " has format version " +
                       std::to_string(doc_.value("version", 0)) +
                       ", newer than this flowweaver understands; use a newer flowweaver");
  }
}

void JsonStore::commit(nlohmann::json next) {
  save(next);
  doc_ = std::move(next);
}

nlohmann::json& JsonStore::run_json(nlohmann::json& doc, const std::string& run_id) {
  for (nlohmann::json& run : doc["runs"]) {
    if (run.value("run_id", "") == run_id) return run;
  }
  throw Error::NotFound("state file " + path_ + ": no run '" + run_id + "'");
}

void JsonStore::save(const nlohmann::json& doc) {
  std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << doc.dump();
    out.flush();
    if (!out) throw Error::State("cannot write state file " + tmp + ": " + std::strerror(errno));
  }
  fsync_path(tmp, O_RDONLY);
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    throw Error::State("cannot replace state file " + path_ + ": " + std::strerror(errno));
  }
  std::string dir = std::filesystem::path(path_).parent_path().string();
  fsync_path(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

std::optional<RunRecord> JsonStore::latest_run(const std::string& workflow) {
  auto runs = list_runs(workflow, 1);
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

std::optional<RunRecord> JsonStore::find_run(const std::string& run_id) {
  for (const nlohmann::json& run : doc_["runs"]) {
    if (run.value("run_id", "") == run_id) return run_from_json(run);
  }
  return std::nullopt;
}

std::vector<RunRecord> JsonStore::list_runs(const std::string& workflow, size_t limit) {
  std::vector<RunRecord> out;
  const nlohmann::json& runs = doc_["runs"];
  for (auto it = runs.rbegin(); it != runs.rend() && out.size() < limit; ++it) {
    if (workflow.empty() || it->value("workflow", "") == workflow)
      out.push_back(run_from_json(*it));
  }
  return out;
}

void JsonStore::create_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) {
  nlohmann::json next = doc_;
  next["runs"].push_back(new_run_json(run, tasks));
  commit(std::move(next));
}

// One commit: the file holds all of the runs or, when it throws, none.
void JsonStore::import_runs(const std::vector<StoredRun>& runs) {
  nlohmann::json next = doc_;
  for (const StoredRun& stored : runs) {
    if (find_run(stored.run.run_id)) {
      throw Error::State("state file " + path_ + " already has run " + stored.run.run_id +
                         "; no run was imported");
    }
    nlohmann::json j = new_run_json(stored.run, stored.tasks);
    for (const AttemptRecord& a : stored.attempts) j["attempts"].push_back(attempt_to_json(a));
    next["runs"].push_back(std::move(j));
  }
  commit(std::move(next));
}

void JsonStore::update_run(const RunRecord& run) {
  nlohmann::json next = doc_;
  nlohmann::json& j = run_json(next, run.run_id);
  nlohmann::json fields = run_to_json(run);
  for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  commit(std::move(next));
}

std::vector<TaskRecord> JsonStore::load_tasks(const std::string& run_id) {
  std::vector<TaskRecord> out;
  const nlohmann::json& tasks = run_json(doc_, run_id)["tasks"];
  for (auto it = tasks.begin(); it != tasks.end(); ++it) {
    const nlohmann::json& j = it.value();
    TaskRecord t;
    t.task_name = it.key();
    t.position = j.value("position", 0);
    t.status = parse_task_status(j.value("status", "")).value_or(TaskStatus::kPending);
    t.attempt = j.value("attempt", 0);
    t.result = j.value("result", "");
    t.error = j.value("error", "");
    t.timestamp = time_from_json(j, "timestamp").value_or(TimePoint{});
    t.started_at = time_from_json(j, "started_at");
    t.finished_at = time_from_json(j, "finished_at");
    t.next_attempt_at = time_from_json(j, "next_attempt_at");
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(),
            [](const TaskRecord& a, const TaskRecord& b) { return a.position < b.position; });
  return out;
}

std::vector<AttemptRecord> JsonStore::load_attempts(const std::string& run_id) {
  std::vector<AttemptRecord> out;
  for (const nlohmann::json& j : run_json(doc_, run_id)["attempts"]) {
    AttemptRecord a;
    a.task_name = j.value("task_name", "");
    a.attempt = j.value("attempt", 0);
    a.status = parse_task_status(j.value("status", "")).value_or(TaskStatus::kFailed);
    a.error = j.value("error", "");
    a.started_at = time_from_json(j, "started_at").value_or(TimePoint{});
    a.finished_at = time_from_json(j, "finished_at").value_or(TimePoint{});
    out.push_back(std::move(a));
  }
  return out;
}

void JsonStore::apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) {
  if (updates.empty()) return;
  nlohmann::json next = doc_;
  nlohmann::json& run = run_json(next, run_id);
  for (const TaskUpdate& u : updates) {
    run["tasks"][u.task.task_name] = task_to_json(u.task);
    if (u.attempt) run["attempts"].push_back(attempt_to_json(*u.attempt));
  }
  commit(std::move(next));
}

}  // namespace flowweaver
