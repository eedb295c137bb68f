// back_up_state() for a JSON state file: its bytes, once they are known to be a FlowWeaver
// state (one read sees one whole version of the file: json_state_file.h).
#include <nlohmann/json.hpp>

#include "state/json_state_file.h"
#include "state/state_backup.h"
#include "util/error.h"

namespace flowweaver {
namespace {

std::string read_json_state(const std::string& state, int64_t* num_runs) {
  std::string text = read_json_state_file(state);
  try {
    nlohmann::json doc = nlohmann::json::parse(text);
    if (is_json_state_document(doc)) {
      *num_runs = static_cast<int64_t>(doc["runs"].size());
      return text;
    }
  } catch (const nlohmann::json::exception&) {
  }
  throw Error::State(state + " is not a FlowWeaver JSON state file; nothing was copied");
}

}  // namespace

StateBackup back_up_json_state(const std::string& state, const std::string& dest) {
  StateBackup backup;
  std::string bytes = read_json_state(state, &backup.num_runs);
  check_backup_destination(state, dest);
  PendingBackup pending(dest, state);
  pending.write(bytes);
  pending.commit();
  backup.how = "JSON copy";
  return backup;
}

}  // namespace flowweaver
