// check_state() for a JSON state file.
#include <nlohmann/json.hpp>

#include "state/json_state_file.h"
#include "state/json_store.h"
#include "state/record_json.h"
#include "state/state_check.h"
#include "util/error.h"

namespace flowweaver {

StateCheck check_json_state(const std::string& path) {
  StateCheck r;
  r.backend = StateBackendKind::kJson;
  r.supported_version = JsonStore::kFormatVersion;
  std::string text = read_json_state_file(path);
  try {
    nlohmann::json doc = nlohmann::json::parse(text);
    if (!is_json_state_document(doc)) {
      throw Error::State(path + " is JSON but not a FlowWeaver state file (no \"runs\" list)");
    }
    r.integrity = {"ok"};
    r.schema_version = doc.value("version", 0);
    r.num_runs = static_cast<int64_t>(doc["runs"].size());
    for (const nlohmann::json& run : doc["runs"]) {
      if (run.value("status", "") == "RUNNING") r.running.push_back(run_from_json(run));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error::State(path + " is not a readable JSON state file (" + e.what() +
                       "); if it is a FlowWeaver state, restore it from a backup");
  }
  if (r.schema_version > r.supported_version) {
    r.problems.push_back("format version " + std::to_string(r.schema_version) +
                         " is newer than this flowweaver supports (" +
                         std::to_string(r.supported_version) + "): use a newer flowweaver");
  }
  return r;
}

}  // namespace flowweaver
