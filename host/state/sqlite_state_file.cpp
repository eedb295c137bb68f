#include "state/sqlite_state_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "state/sqlite_store.h"
#include "util/error.h"

namespace flowweaver {
namespace {

void sync_file(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int error = errno;
    if (fd >= 0) ::close(fd);
    throw Error::State("cannot sync " + path + ": " + std::strerror(error));
  }
  ::close(fd);
}

// A new SQLite state appears complete or not at all: the schema is made in a file of its own,
// which is then linked into place (link, unlike rename, never replaces a state another process
// created meanwhile). Readers never see a database without its schema. The file is written
// without syncs and synced once before the link: one sync instead of SQLite's eight. With
// `--durability full` the directory is synced too, so that the new name survives a power loss.
void create_sqlite_state(const std::string& path, Durability durability) {
  std::string staging =
      path + ".new-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
  try {
    { SqliteStore schema_only(staging, SqliteStore::Staging{}); }  // leaves no file beside it
    sync_file(staging, O_RDONLY);
  } catch (...) {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((staging + suffix).c_str());
    throw;
  }
  int linked = ::link(staging.c_str(), path.c_str());
  int error = errno;
  ::unlink(staging.c_str());
  if (linked != 0 && error != EEXIST) {
    throw Error::State("cannot create the state file " + path + ": " + std::strerror(error));
  }
  if (durability == Durability::kFull) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    sync_file(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
  }
}

// SQLite takes a 0-byte file for a new database and would run the whole workflow again into it;
// but a state file is never empty (it is made whole, see above): something truncated it, or
// `touch` made it. Either way its runs are not in it, and the operator must decide.
void refuse_empty_sqlite_state(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 &&
      !ec) {
    throw Error::State("state file " + path +
                       " is empty (0 bytes): it holds no runs, so nothing can resume from it. "
                       "Restore it from a backup (`flowweaver backup` makes them), or delete it "
                       "to start anew. The file was left as it is.");
  }
}

}  // namespace

std::unique_ptr<StateStore> open_sqlite_state_for_writing(const std::string& path,
                                                          Durability durability) {
  refuse_empty_sqlite_state(path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) create_sqlite_state(path, durability);
  return std::make_unique<SqliteStore>(path, durability);
}

std::unique_ptr<StateStore> open_sqlite_state_for_reading(const std::string& path) {
  refuse_empty_sqlite_state(path);
  return std::make_unique<SqliteStore>(path, SqliteStore::ReadOnly{});
}

}  // namespace flowweaver
