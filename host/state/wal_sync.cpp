#include "state/wal_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace flowweaver {

WalSync::WalSync(sqlite3* db, int checkpoint_pages, SyncFunction sync)
    : db_(db), checkpoint_pages_(checkpoint_pages), sync_(sync) {
  // A temporary or in-memory database has no file name, and no WAL file to sync.
  const char* db_file = sqlite3_db_filename(db_, "main");
  const char* wal =
      db_file != nullptr && *db_file != '\0' ? sqlite3_filename_wal(db_file) : nullptr;
  if (wal != nullptr) wal_path_ = wal;
  sqlite3_wal_hook(db_, &WalSync::after_commit, this);
}

WalSync::~WalSync() {
  sqlite3_wal_hook(db_, nullptr, nullptr);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

// Called by SQLite after each commit, on the committing thread.
int WalSync::after_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto* wal_sync = static_cast<WalSync*>(self);
  if (wal_pages >= wal_sync->checkpoint_pages_) {
    // As SQLite's own hook: a checkpoint a reader keeps from finishing is tried again later.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  if (wal_sync->sync_ != nullptr && !wal_sync->wal_path_.empty()) wal_sync->grown_to(wal_pages);
  return SQLITE_OK;
}

void WalSync::grown_to(int wal_pages) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // Fewer pages than before: a checkpoint restarted the WAL from its beginning.
    if (wal_pages < wal_pages_) synced_pages_ = 0;
    wal_pages_ = wal_pages;
    wake = wal_pages_ - synced_pages_ >= kPagesPerSync;
    if (wake && !thread_.joinable()) thread_ = std::thread([this] { sync_loop(); });
  }
  if (wake) wake_.notify_one();
}

void WalSync::sync_loop() {
  // Read-only is enough to sync. A WAL that cannot be opened is left to the checkpoints' syncs.
  int fd = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
  std::unique_lock<std::mutex> lock(mutex_);
  while (fd >= 0) {
    wake_.wait(lock, [this] { return stop_ || wal_pages_ - synced_pages_ >= kPagesPerSync; });
    if (stop_) break;
    int pages = wal_pages_;
    lock.unlock();
    // A failure is not lost: the checkpoint's own sync of the same pages reports it.
    sync_(fd);
    lock.lock();
    if (wal_pages_ >= pages) synced_pages_ = std::max(synced_pages_, pages);
  }
  if (fd >= 0) ::close(fd);
}

}  // namespace flowweaver
