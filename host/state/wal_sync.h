// Syncs a WAL file to disk in the background while a run goes on.
//
// With synchronous=NORMAL a commit only writes into the page cache; the WAL is synced at the next
// checkpoint, at the latest the one SQLite makes when the store closes, and that sync then had to
// write everything committed since (a chain of 1,000 tasks: 12 MB, over 20 ms here, all of it
// after the last task). Synced as it grows, by a thread of its own, little is left for it. This
// only makes commits reach the disk sooner: what survives a kill or a power loss is unchanged.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace flowweaver {

class WalSync {
 public:
  // A sync per 2 MB of new WAL: one costs a few milliseconds here, mostly fixed, and smaller
  // steps slowed the commits more than they saved at the end.
  static constexpr int kPagesPerSync = 512;

  using SyncFunction = int (*)(int fd);

  // Installs itself as `db`'s WAL hook, which replaces SQLite's automatic checkpoint (a WAL hook
  // too): it checkpoints, as that one did, once the WAL holds `checkpoint_pages` pages. With
  // `sync` null it only does that (synchronous=FULL syncs every commit anyway); otherwise `sync`
  // (fdatasync; tests count the calls) is called on the WAL each kPagesPerSync pages.
  WalSync(sqlite3* db, int checkpoint_pages, SyncFunction sync);
  // Waits for a sync under way, stops the thread and removes the hook: destroy before closing db.
  ~WalSync();
  WalSync(const WalSync&) = delete;
  WalSync& operator=(const WalSync&) = delete;

 private:
  static int after_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void grown_to(int wal_pages);
  void sync_loop();

  sqlite3* const db_;
  const int checkpoint_pages_;
  const SyncFunction sync_;
  std::string wal_path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  int wal_pages_ = 0;     // as of the last commit
  int synced_pages_ = 0;  // of those, how many the last sync covered
  bool stop_ = false;
  std::thread thread_;  // started at the first sync
};

}  // namespace flowweaver
