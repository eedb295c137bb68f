// The service's read-only connections to its workflows' state files, kept open from one request
// to the next. Opening a SQLite file costs more than most reads from it (the API polls a run's
// status many times); and while one of these stays open, the writer that closes after each run
// is not the file's last connection, so SQLite does not checkpoint and delete the -wal and -shm
// files at the end of every run only to create them again at the start of the next.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "state/state_store.h"

namespace flowweaver {

class StateReaders {
 public:
  // Calls `read` with a read-only store of the state at `location` (a file, or a database URL:
  // state_location.h), one caller at a time per state; false when there is no state there yet.
  // A file replaced since it was opened (a restore) is opened anew; a store whose read threw is
  // closed, so the next read starts afresh. Throws what opening or reading throws.
  bool read(const std::string& location, const std::function<void(StateStore&)>& read);

 private:
  struct Reader {
    std::mutex mutex;
    std::unique_ptr<StateStore> store;  // guarded by mutex
    dev_t device = 0;
    ino_t inode = 0;
  };

  std::shared_ptr<Reader> reader_for(const std::string& location);
  void forget(const std::string& location);

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Reader>> readers_;  // guarded by mutex_
};

}  // namespace flowweaver
