#include "state/state_check.h"

#include <filesystem>

#include "util/error.h"

namespace flowweaver {

namespace fs = std::filesystem;

bool integrity_ok(const StateCheck& check) {
  return check.integrity == std::vector<std::string>{"ok"};
}

StateCheck check_state(const std::string& location) {
  const StateLocation where = parse_state_location(location);
  if (where.backend == StateBackendKind::kPostgres) {
    StateCheck check = check_postgres_state(where.path);
    if (!check.running.empty()) {
      check.problems.push_back(std::to_string(check.running.size()) + " run(s) left RUNNING");
    }
    return check;
  }
  std::error_code ec;
  if (!fs::exists(where.path, ec)) throw Error::NotFound("no state at " + where.path);
  if (!fs::is_regular_file(where.path, ec)) {
    throw Error::State(where.path + " is not a regular file; give a state file");
  }
  StateCheck check = where.backend == StateBackendKind::kJson ? check_json_state(where.path)
                                                              : check_sqlite_state(where.path);
  check.size_bytes = fs::file_size(where.path, ec);
  if (!check.running.empty()) {
    check.problems.push_back(std::to_string(check.running.size()) + " run(s) left RUNNING");
  }
  return check;
}

}  // namespace flowweaver
