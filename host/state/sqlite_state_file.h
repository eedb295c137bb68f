// The SQLite backend's state file: made whole or not at all, never taken when empty.
#pragma once

#include <memory>
#include <string>

#include "state/state_store.h"

namespace flowweaver {

// Opens the SQLite state `path` for writing, creating it (schema and all) when there is none.
// Throws Error::State for an empty file (left as it is) or one that is not a usable state.
std::unique_ptr<StateStore> open_sqlite_state_for_writing(const std::string& path,
                                                          Durability durability);

// Opens the existing SQLite state `path` only to read it (SqliteStore::ReadOnly).
std::unique_ptr<StateStore> open_sqlite_state_for_reading(const std::string& path);

}  // namespace flowweaver
