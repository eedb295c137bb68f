// open_state_store() and its kin (state_store.h): parse_state_location() chooses the backend,
// these functions open its store.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "state/json_store.h"
#include "state/locked_store.h"
#include "state/postgres_store.h"
#include "state/sqlite_state_file.h"
#include "state/state_location.h"
#include "state/state_store.h"
#include "util/error.h"

namespace flowweaver {
namespace {

// Both backends keep a file: its directory must exist and take the files they write beside it.
void prepare_state_file(const std::string& path) {
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
}

// The backend's store of the state at `where`, for writing; the caller holds the writer lock.
std::unique_ptr<StateStore> open_backend_for_writing(const StateLocation& where,
                                                     Durability durability) {
  switch (where.backend) {
    case StateBackendKind::kSqlite:
      return open_sqlite_state_for_writing(where.path, durability);
    case StateBackendKind::kJson:
      return std::make_unique<JsonStore>(where.path);
    case StateBackendKind::kPostgres:
      return std::make_unique<PostgresStore>(where.path);  // durable at every commit
  }
  throw Error::State("no backend for the state at " + where.path);  // unreachable
}

// The backend's store of the existing state at `where`, only to read it.
std::unique_ptr<StateStore> open_backend_for_reading(const StateLocation& where) {
  switch (where.backend) {
    case StateBackendKind::kSqlite:
      return open_sqlite_state_for_reading(where.path);
    case StateBackendKind::kJson:
      return std::make_unique<JsonStore>(where.path);  // it only reads until written to
    case StateBackendKind::kPostgres:
      return std::make_unique<PostgresStore>(where.path, PostgresStore::ReadOnly{});
  }
  throw Error::State("no backend for the state at " + where.path);  // unreachable
}

}  // namespace

std::unique_ptr<StateStore> open_state_store(const std::string& location, Durability durability) {
  const StateLocation where = parse_state_location(location);
  if (where.backend != StateBackendKind::kPostgres) prepare_state_file(where.path);
  std::unique_ptr<WriterLock> lock = acquire_writer_lock(where);  // one writer from here on
  return std::make_unique<LockedStore>(std::move(lock),
                                       open_backend_for_writing(where, durability));
}

std::unique_ptr<StateStore> open_existing_state_store(const std::string& location, Access access) {
  const StateLocation where = parse_state_location(location);
  if (where.backend == StateBackendKind::kPostgres) {
    // Reading throws NotFound for a database without FlowWeaver's tables, as for a missing file.
    std::unique_ptr<StateStore> reader = open_backend_for_reading(where);
    if (access == Access::kReadOnly) return reader;
    reader.reset();
    return open_state_store(location, Durability::kNormal);
  }
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
  if (where.backend == StateBackendKind::kPostgres) {
    try {
      return open_backend_for_reading(where);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kNotFound) return nullptr;  // no tables yet: nothing has run
      throw;
    }
  }
  const std::string& path = where.path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nullptr;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error::State("state path " + path + " is a directory; give a file");
  }
  return open_backend_for_reading(where);
}

}  // namespace flowweaver
