// Opening a SQLite state file only to read it, for the commands that look without touching:
// status, history, plan, check, backup.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>
#include <string>

namespace flowweaver {

// Opens the existing SQLite file `path` so that reading through the returned connection never
// changes the file and leaves no new file beside it, even while another process writes to it.
// Statements that write fail with SQLITE_READONLY. Throws SQLite::Exception; a file that is not
// a database is only detected by the first query (SQLITE_NOTADB).
std::unique_ptr<SQLite::Database> open_sqlite_for_reading(const std::string& path);

}  // namespace flowweaver
