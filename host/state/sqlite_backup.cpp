// back_up_state() for a SQLite state file, by SQLite's online backup API.
#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <array>
#include <chrono>
#include <memory>
#include <thread>

#include "state/sqlite_reading.h"
#include "state/state_backup.h"
#include "util/error.h"

namespace flowweaver {
namespace {

constexpr std::array<const char*, 3> kTables = {"runs", "tasks", "attempts"};

std::unique_ptr<SQLite::Database> open_sqlite_state(const std::string& state) {
  try {
    std::unique_ptr<SQLite::Database> db = open_sqlite_for_reading(state);
    for (const char* table : kTables) {
      if (!db->tableExists(table)) {
        throw Error::State(state + " is not a FlowWeaver state (it has no table " + table +
                           "); nothing was copied");
      }
    }
    return db;
  } catch (const SQLite::Exception& e) {
    throw Error::State(state + " is not a FlowWeaver state database (" + e.what() +
                       "); nothing was copied");
  }
}

// Copies every page in one step, so the copy is one snapshot of the source even while another
// process commits to it (WAL lets that writer go on meanwhile). Returns the number of runs.
int64_t copy_sqlite(SQLite::Database& source, const std::string& state, const std::string& to) {
  try {
    SQLite::Database copy(to, SQLite::OPEN_READWRITE);
    {
      SQLite::Backup backup(copy, source);
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (backup.executeStep(-1) != SQLITE_DONE) {  // busy or locked: wait and try again
        if (std::chrono::steady_clock::now() > deadline) {
          throw Error::State(state + " stayed locked for 10 s; nothing was copied");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    std::string integrity = copy.execAndGet("PRAGMA integrity_check").getString();
    if (integrity != "ok") {
      throw Error::State("the copy of " + state + " failed its integrity check (" + integrity +
                         "), so it was not kept; run `flowweaver check --state " + state + "`");
    }
    return copy.execAndGet("SELECT count(*) FROM runs").getInt64();
  } catch (const SQLite::Exception& e) {
    throw Error::IO("copying " + state + " to " + to + " failed: " + e.what());
  }
}

}  // namespace

StateBackup back_up_sqlite_state(const std::string& state, const std::string& dest) {
  std::unique_ptr<SQLite::Database> source = open_sqlite_state(state);
  check_backup_destination(state, dest);
  PendingBackup pending(dest, state);
  StateBackup backup;
  backup.num_runs = copy_sqlite(*source, state, pending.path());
  pending.commit();
  backup.how = "SQLite online backup, integrity ok";
  return backup;
}

}  // namespace flowweaver
