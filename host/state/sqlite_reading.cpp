#include "state/sqlite_reading.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace flowweaver {
namespace {

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool directory_writable(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return ::access(dir.empty() ? "." : dir.c_str(), W_OK) == 0;
}

// `path` as an SQLite file: URI that opens it immutable (see below).
std::string immutable_uri(const std::string& path) {
  std::string uri = "file:";
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  for (char c : (ec ? path : absolute.string())) {
    if (c == '?' || c == '#' || c == '%') {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
      uri += escaped;
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
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
//   nothing to the database file;
// - when the database is at rest in a directory we cannot write to (a read-only mount, a
//   backup's directory), no -shm can be made, and none is needed: nobody can write there
//   either, so the file alone is the whole database and is opened as immutable.
std::unique_ptr<SQLite::Database> open_sqlite_for_reading(const std::string& path) {
  bool at_rest = !exists(path + "-wal") && !exists(path + "-journal");
  if (at_rest && !directory_writable(path)) {
    return std::make_unique<SQLite::Database>(immutable_uri(path),
                                              SQLite::OPEN_READONLY | SQLite::OPEN_URI);
  }
  auto db = std::make_unique<SQLite::Database>(
      path, at_rest ? SQLite::OPEN_READWRITE : SQLite::OPEN_READONLY);
  db->setBusyTimeout(5000);
  if (at_rest) db->exec("PRAGMA query_only = ON");
  return db;
}

}  // namespace flowweaver
