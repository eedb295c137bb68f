// A consistent copy of a state, taken while runs may be writing to it (`flowweaver backup`).
// The copy is written beside DEST under a temporary name, checked, synced and only then renamed
// to DEST, so DEST is always either what it was before or a complete, checked backup. The state
// itself is only read.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace flowweaver {

struct StateBackup {
  int64_t num_runs = 0;
  std::string how;  // how the copy was made, for the report
};

// Backs up the state at `location` (state_location.h) to the file `dest`. Throws
// Error::InvalidArgument for a DEST that cannot hold a backup, Error::NotFound when there is no
// state, Error::State or Error::IO when the copy could not be made (DEST is then unchanged).
StateBackup back_up_state(const std::string& location, const std::string& dest);

// The backends' halves of back_up_state(), for the file `state` known to exist.
StateBackup back_up_sqlite_state(const std::string& state, const std::string& dest);
StateBackup back_up_json_state(const std::string& state, const std::string& dest);
// Refuses (Error::InvalidArgument): a PostgreSQL database is backed up with pg_dump.
StateBackup back_up_postgres_state(const std::string& url);

// Refuses a DEST that cannot hold a backup of `state`, before anything is written.
void check_backup_destination(const std::string& state, const std::string& dest);

// The backup being written beside DEST. Unless commit() renamed it into place, it is removed
// with the side files SQLite may have made for it.
class PendingBackup {
 public:
  // Creates the file with the state's permissions.
  PendingBackup(std::string dest, const std::string& state);
  ~PendingBackup();
  PendingBackup(const PendingBackup&) = delete;
  PendingBackup& operator=(const PendingBackup&) = delete;

  const std::string& path() const { return path_; }
  void write(const std::string& bytes);
  // Syncs the file, renames it to DEST and syncs the directory, so the backup survives a crash.
  void commit();

 private:
  void remove_all();

  std::string dest_, path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace flowweaver
