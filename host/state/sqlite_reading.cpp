#include "state/sqlite_reading.h"

#include <filesystem>

namespace flowweaver {
namespace {

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

}  // namespace

// A WAL database cannot be read without its -wal and -shm files, and a SQLITE_OPEN_READONLY
// connection that has to create them cannot delete them when it closes: they would be left
// behind. So:
// - when the -wal file exists (a writer is running, or died), a read-only connection uses the
//   files that are there and creates nothing;
// - when the database is at rest (no -wal, and no -journal that a read-write open would roll
//   back), a read-write connection restricted to queries (query_only) creates them and, as the
//   last connection to close, removes them again. With nothing in the WAL, closing writes
//   nothing to the database file.
std::unique_ptr<SQLite::Database> open_sqlite_for_reading(const std::string& path) {
  bool at_rest = !exists(path + "-wal") && !exists(path + "-journal");
  auto db = std::make_unique<SQLite::Database>(
      path, at_rest ? SQLite::OPEN_READWRITE : SQLite::OPEN_READONLY);
  db->setBusyTimeout(5000);
  if (at_rest) db->exec("PRAGMA query_only = ON");
  return db;
}

}  // namespace flowweaver
