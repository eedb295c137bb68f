#include "state/sqlite_reading.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// A WAL state whose -shm is gone, in a directory nobody may write (its writer was killed, then
// the mount made read-only, or the files were copied without it): SQLite cannot rebuild the WAL
// index beside it, and an immutable open would ignore the -wal and with it the newest commits.
// A private copy of the file and its -wal in the temporary directory has neither problem: the
// WAL is folded into the copy, which is then opened immutable and unlinked at once (its open
// descriptor keeps it readable, and nothing is left behind, even by a kill).
std::unique_ptr<SQLite::Database> open_private_copy(const std::string& path) {
  namespace fs = std::filesystem;
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/flowweaver-read-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw SQLite::Exception(
        "cannot make a directory to read a copy of " + path + " in: " + std::strerror(errno),
        SQLITE_CANTOPEN);
  }
  fs::path dir = pattern;
  fs::path copy = dir / "state.db";
  std::unique_ptr<SQLite::Database> db;
  std::error_code ec;
  try {
    fs::copy_file(path, copy);
    fs::copy_file(path + "-wal", copy.string() + "-wal");
    {
      SQLite::Database folding(copy.string(), SQLite::OPEN_READWRITE);
      folding.exec("PRAGMA journal_mode=DELETE");  // checkpoints the WAL into the copy
    }
    db = std::make_unique<SQLite::Database>(immutable_uri(copy.string()),
                                            SQLite::OPEN_READONLY | SQLite::OPEN_URI);
    db->exec("SELECT count(*) FROM sqlite_master");  // opens the file before it is unlinked
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(dir, ec);
    throw SQLite::Exception("cannot copy " + path + " to read it: " + e.code().message(),
                            SQLITE_CANTOPEN);
  } catch (...) {
    fs::remove_all(dir, ec);
    throw;
  }
  fs::remove_all(dir, ec);
  return db;
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
//   either, so the file alone is the whole database and is opened as immutable;
// - a -wal without its -shm there is read through a private copy (open_private_copy()).
std::unique_ptr<SQLite::Database> open_sqlite_for_reading(const std::string& path) {
  bool at_rest = !exists(path + "-wal") && !exists(path + "-journal");
  if (!directory_writable(path)) {
    if (at_rest) {
      return std::make_unique<SQLite::Database>(immutable_uri(path),
                                                SQLite::OPEN_READONLY | SQLite::OPEN_URI);
    }
    if (exists(path + "-wal") && !exists(path + "-shm")) return open_private_copy(path);
  }
  auto db = std::make_unique<SQLite::Database>(
      path, at_rest ? SQLite::OPEN_READWRITE : SQLite::OPEN_READONLY);
  db->setBusyTimeout(5000);
  if (at_rest) db->exec("PRAGMA query_only = ON");
  return db;
}

}  // namespace flowweaver
