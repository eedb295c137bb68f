// The backends every state-store test runs against (TEST_P over all_state_backends()): a new
// backend adds itself here, with where a test keeps its state. The file backends run in the
// unit tests; PostgreSQL in flowweaver_postgres_state_tests (FLOWWEAVER_TEST_POSTGRES_STATE),
// which starts one server for the whole binary and gives each state a fresh database.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "scratch_dir.h"
#include "state/state_location.h"
#ifdef FLOWWEAVER_TEST_POSTGRES_STATE
#include "unit/postgres_state_server.h"
#endif

namespace flowweaver::testing {

inline std::vector<StateBackendKind> all_state_backends() {
#ifdef FLOWWEAVER_TEST_POSTGRES_STATE
  return {StateBackendKind::kPostgres};
#else
  return {StateBackendKind::kSqlite, StateBackendKind::kJson};
#endif
}

inline std::string backend_name(StateBackendKind backend) {
  switch (backend) {
    case StateBackendKind::kSqlite:
      return "Sqlite";
    case StateBackendKind::kJson:
      return "Json";
    case StateBackendKind::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

// The location of a state called `name` kept by `backend`, inside `dir`.
// For PostgreSQL: a fresh database for each (dir, name), the same one when asked again.
inline std::string state_location_in(const ScratchDir& dir, StateBackendKind backend,
                                     const std::string& name) {
#ifdef FLOWWEAVER_TEST_POSTGRES_STATE
  if (backend == StateBackendKind::kPostgres) {
    static std::map<std::string, std::string> databases;
    std::string& url = databases[dir.file(name)];
    if (url.empty()) url = new_postgres_database(name);
    return url;
  }
#endif
  return dir.file(name + (backend == StateBackendKind::kJson ? ".json" : ".db"));
}

}  // namespace flowweaver::testing
