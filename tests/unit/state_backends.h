// The backends every state-store test runs against (TEST_P over all_state_backends()): a new
// backend adds itself here, with where a test keeps its state.
#pragma once

#include <string>
#include <vector>

#include "scratch_dir.h"
#include "state/state_location.h"

namespace flowweaver::testing {

inline std::vector<StateBackendKind> all_state_backends() {
  return {StateBackendKind::kSqlite, StateBackendKind::kJson};
}

inline std::string backend_name(StateBackendKind backend) {
  switch (backend) {
    case StateBackendKind::kSqlite:
      return "Sqlite";
    case StateBackendKind::kJson:
      return "Json";
  }
  return "Unknown";
}

// The location of a state called `name` kept by `backend`, inside `dir`.
inline std::string state_location_in(const ScratchDir& dir, StateBackendKind backend,
                                     const std::string& name) {
  return dir.file(name + (backend == StateBackendKind::kJson ? ".json" : ".db"));
}

}  // namespace flowweaver::testing
