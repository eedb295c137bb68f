#include "state/state_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>

#include "state/json_store.h"
#include "state/locked_store.h"
#include "state/sqlite_store.h"
#include "state/state_location.h"
#include "util/error.h"

namespace flowweaver {
namespace {

constexpr std::array<const char*, 6> kTaskStatusNames = {"PENDING", "RUNNING", "COMPLETED",
                                                         "FAILED",  "SKIPPED", "INTERRUPTED"};
constexpr std::array<const char*, 6> kRunStatusNames = {"PENDING", "RUNNING",     "COMPLETED",
                                                        "FAILED",  "INTERRUPTED", "CANCELLED"};

}  // namespace

const char* to_string(TaskStatus status) { return kTaskStatusNames[static_cast<int>(status)]; }
const char* to_string(RunStatus status) { return kRunStatusNames[static_cast<int>(status)]; }

std::optional<TaskStatus> parse_task_status(std::string_view text) {
  for (size_t i = 0; i < kTaskStatusNames.size(); ++i) {
    if (text == kTaskStatusNames[i]) return static_cast<TaskStatus>(i);
  }
  return std::nullopt;
}

std::optional<RunStatus> parse_run_status(std::string_view text) {
  for (size_t i = 0; i < kRunStatusNames.size(); ++i) {
    if (text == kRunStatusNames[i]) return static_cast<RunStatus>(i);
  }
  return std::nullopt;
}

std::optional<RunRecord> resumable_run(StateStore& store, const std::string& workflow, bool fresh) {
  if (fresh) return std::nullopt;
  std::optional<RunRecord> latest = store.latest_run(workflow);
  if (!latest || is_closed(latest->status) || latest->parent) return std::nullopt;
  return latest;
}

std::optional<RunRecord> StateStore::find_child_run(const std::string& parent_run_id,
                                                    const std::string& parent_task) {
  for (RunRecord& run : list_runs("", std::numeric_limits<size_t>::max())) {
    if (run.parent && run.parent->run_id == parent_run_id && run.parent->task == parent_task) {
      return std::move(run);
    }
  }
  return std::nullopt;
}

bool is_closed(RunStatus status) {
  return status == RunStatus::kCompleted || status == RunStatus::kCancelled;
}

static void sync_file(const std::string& path, int flags) {
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
static void create_sqlite_state(const std::string& path, Durability durability) {
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
static void refuse_empty_sqlite_state(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0 &&
      !ec) {
    throw Error::State("state file " + path +
                       " is empty (0 bytes): it holds no runs, so nothing can resume from it. "
                       "Restore it from a backup (`flowweaver backup` makes them), or delete it "
                       "to start anew. The file was left as it is.");
  }
}

std::unique_ptr<StateStore> open_state_store(const std::string& location, Durability durability) {
  const StateLocation where = parse_state_location(location);
  const std::string& path = where.path;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      throw Error::State("cannot create the state directory " + parent.string() + ": " +
                         ec.message());
    }
  }
  if (std::filesystem::is_directory(path, ec)) {
    throw Error::State("state path " + path + " is a directory; give a file, e.g. " +
                       (std::filesystem::path(path) / "state.db").string());
  }
  // Both stores write files beside the state (SQLite's -wal and -shm, the JSON store's .tmp).
  std::string dir = parent.empty() ? "." : parent.string();
  if (::access(dir.c_str(), W_OK) != 0) {
    throw Error::State("cannot write state in " + dir + ": " + std::strerror(errno) +
                       " (fix its permissions, or choose another place with --state)");
  }
  std::unique_ptr<WriterLock> lock = acquire_writer_lock(where);  // one writer from here on
  std::unique_ptr<StateStore> store;
  if (where.backend == StateBackendKind::kJson) {
    store = std::make_unique<JsonStore>(path);
  } else {
    refuse_empty_sqlite_state(path);
    if (!std::filesystem::exists(path, ec)) create_sqlite_state(path, durability);
    store = std::make_unique<SqliteStore>(path, durability);
  }
  return std::make_unique<LockedStore>(std::move(lock), std::move(store));
}

std::unique_ptr<StateStore> open_existing_state_store(const std::string& location, Access access) {
  const StateLocation where = parse_state_location(location);
  const std::string& path = where.path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw Error::NotFound("no state at " + path + " (nothing has run with this state yet)");
  }
  if (access == Access::kReadWrite) return open_state_store(path, Durability::kNormal);
  return find_state_store(location);
}

std::unique_ptr<StateStore> find_state_store(const std::string& location) {
  const StateLocation where = parse_state_location(location);
  const std::string& path = where.path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nullptr;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error::State("state path " + path + " is a directory; give a file");
  }
  // The JSON store only reads its file until something is written.
  if (where.backend == StateBackendKind::kJson) return std::make_unique<JsonStore>(path);
  refuse_empty_sqlite_state(path);
  return std::make_unique<SqliteStore>(path, SqliteStore::ReadOnly{});
}

}  // namespace flowweaver
