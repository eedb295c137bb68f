// Where a state lives and which backend keeps it: the one place that reads a `--state` value
// (a file path today; a URL such as postgresql://… later) and the one place that names a
// workflow's state inside a state directory. Everything else asks these functions.
#pragma once

#include <filesystem>
#include <string>

namespace flowweaver {

enum class StateBackendKind { kSqlite, kJson, kPostgres };

struct StateLocation {
  StateBackendKind backend = StateBackendKind::kSqlite;
  std::string path;  // the state file (SQLite, JSON); the database URL for PostgreSQL
  // PostgreSQL only: the workflow whose writer lock this location takes, from the URL's
  // `#fragment` (sibling_state() adds it); empty: the lock covers the whole database.
  std::string lock_name;
};

// A `postgresql://` or `postgres://` URL is a PostgreSQL database (a `#name` at its end names the
// writer lock), a path ending in `.json` is a JSON store, any other path SQLite. Throws
// Error::InvalidArgument for a `scheme://…` this flowweaver does not know, naming the forms it
// accepts; nothing is created or read.
StateLocation parse_state_location(const std::string& path_or_url);

// `<dir>/<workflow>.db`: where a workflow's state lives in a state directory (`serve`'s
// state_dir, a directory given to `status`/`history`, ./var by default).
std::string state_file_in(const std::filesystem::path& dir, const std::string& workflow);

// Whether a directory entry is a state that state_file_in() names (for listing a directory).
bool is_directory_state_file(const std::filesystem::path& file);

// Whether `file` is a state file of either backend (for suggesting workflow names).
bool has_state_file_extension(const std::filesystem::path& file);

// A file that goes with the state at `location` on this host (`suffix`: ".cancel", ".crashed"):
// beside a state file, `<file><suffix>`; for a database, in `<tmp>/flowweaver-<uid>/` (made when
// missing, mode 0700), named by a hash of the URL without its password and the lock name, so that
// the processes of this host that use one state find the same file.
std::string state_side_file(const std::string& location, const std::string& suffix);

// The state of workflow `workflow` at `location` as given (--state): a database URL without a
// `#name` gets `#workflow`, so that its writer lock is the workflow's own (two workflows write to
// one database at once; two writers of one workflow do not); any other location is returned as
// it is (this never throws).
std::string workflow_state(const std::string& location, const std::string& workflow);

// The state of workflow `other` beside the state at `location`, kept by the same backend: for
// PostgreSQL the same database, `URL#other` (its own writer lock).
std::string sibling_state(const std::string& location, const std::string& other);

}  // namespace flowweaver
