// What `flowweaver check` learns of a state: is it sound, can this flowweaver read it, and did
// a run stop without finishing. Each backend reads its own kind of state; nothing is created,
// migrated or changed, and a state too damaged or too new to open as a store is still reported.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/state_location.h"
#include "state/state_store.h"

namespace flowweaver {

struct StateCheck {
  StateBackendKind backend = StateBackendKind::kSqlite;
  uintmax_t size_bytes = 0;
  std::vector<std::string> integrity;  // {"ok"} when sound, else what is wrong
  int schema_version = 0, supported_version = 0;
  std::vector<std::string> tables, missing_tables;  // SQLite and PostgreSQL
  std::optional<int64_t> num_runs;                  // unknown when unreadable
  std::vector<RunRecord> running;
  std::vector<std::string> problems;  // what needs attention, one line each
};

bool integrity_ok(const StateCheck& check);

// Checks the state at `location` (state_location.h). Throws Error::NotFound when there is none,
// Error::State when it is not a FlowWeaver state at all; every other finding is in `problems`.
StateCheck check_state(const std::string& location);

// The backends' halves of check_state(), for the file `path` known to exist.
StateCheck check_sqlite_state(const std::string& path);
StateCheck check_json_state(const std::string& path);
// For a PostgreSQL database URL: throws Error::NotFound when it has no FlowWeaver tables.
StateCheck check_postgres_state(const std::string& url);

}  // namespace flowweaver
