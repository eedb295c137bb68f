// back_up_state() for a JSON state file: its bytes, once they are known to be a FlowWeaver
// state. The JSON store replaces the file by rename, so one read sees one whole version of it.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "state/state_backup.h"
#include "util/error.h"

namespace flowweaver {
namespace {

std::string read_json_state(const std::string& state, int64_t* num_runs) {
  std::ifstream in(state, std::ios::binary);
  if (!in) throw Error::State("cannot read " + state + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    nlohmann::json doc = nlohmann::json::parse(text.str());
    if (doc.is_object() && doc.contains("runs") && doc["runs"].is_array()) {
      *num_runs = static_cast<int64_t>(doc["runs"].size());
      return text.str();
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
