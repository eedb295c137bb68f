// The SQLite state store (see SCHEMA.md). One connection, used from one thread at a time; other
// processes (sqlite3, a backup) may read concurrently thanks to WAL.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <memory>

#include "state/state_store.h"
#include "state/wal_sync.h"
#include "util/error.h"

namespace flowweaver {

class SqliteStore : public StateStore {
 public:
  // The schema version this binary writes; older files are migrated, newer ones refused.
  static constexpr int kSchemaVersion = 6;

  // How many COMPLETED attempts apply_awaited() holds back, and for how long at most.
  struct HoldLimits {
    size_t max_held = 1024;
    std::chrono::milliseconds max_time{50};
  };

  // Opens for writing. Writes first the attempts a killed process held back (apply_awaited()).
  SqliteStore(const std::string& path, Durability durability);
  SqliteStore(const std::string& path, Durability durability, HoldLimits limits);
  // Opens an existing file for reading only (see open_sqlite_for_reading): never creates,
  // migrates or changes it (an older schema version is read as it is). Throws Error::State
  // unless it holds a FlowWeaver schema no newer than this binary's; writes through such a
  // store throw Error::State.
  struct ReadOnly {};
  SqliteStore(const std::string& path, ReadOnly);
  // A new state file in the making (create_sqlite_state in state_store.cpp): nobody else sees it
  // until it is linked into place, so the schema is written without locks, journal or syncs, and
  // synced once by the caller. The file is in WAL mode when the store closes.
  struct Staging {};
  SqliteStore(const std::string& path, Staging);
  ~SqliteStore() override;

  std::optional<RunRecord> latest_run(const std::string& workflow) override;
  std::optional<RunRecord> find_run(const std::string& run_id) override;
  std::vector<RunRecord> list_runs(const std::string& workflow, size_t limit) override;
  void create_run(const RunRecord& run, const std::vector<TaskRecord>& tasks) override;
  void update_run(const RunRecord& run) override;
  std::optional<RunRecord> find_child_run(const std::string& parent_run_id,
                                          const std::string& parent_task) override;
  std::vector<TaskRecord> load_tasks(const std::string& run_id) override;
  std::vector<AttemptRecord> load_attempts(const std::string& run_id) override;
  void apply(const std::string& run_id, const std::vector<TaskUpdate>& updates) override;
  // Holds back COMPLETED attempts until HoldLimits are reached; then, or at the next apply() or
  // update_run(), all are written. Closing the store does not write them: see restore_held().
  void apply_awaited(const std::string& run_id, const std::vector<TaskUpdate>& updates) override;
  void import_runs(const std::vector<StoredRun>& runs) override;
  std::string describe() const override { return path_; }

 private:
  // `synchronous`: the value of PRAGMA synchronous.
  SqliteStore(const std::string& path, const char* synchronous);
  template <class F>
  auto guarded(const char* doing, F&& body) -> decltype(body());
  template <class F>
  void in_transaction(F&& body);
  template <class F>
  void in_transaction_writing_held(F&& body);
  void migrate();
  // Throws a corruption error when a run was left RUNNING and PRAGMA quick_check finds damage.
  void refuse_if_damaged_after_a_crash();
  // Writes the COMPLETED attempts missing from runs left RUNNING, from their task rows: what a
  // process killed while it held them back did not write.
  void restore_held();
  void write_updates(const std::string& run_id, const std::vector<TaskUpdate>& updates,
                     bool hold_completions);
  void prepare_statements();
  Error newer_schema_error(int version) const;
  void insert_run(const RunRecord& run);
  void write_task(const std::string& run_id, const TaskRecord& task);
  void write_attempt(const std::string& run_id, const AttemptRecord& attempt);
  std::vector<RunRecord> query_runs(const std::string& where, const std::vector<std::string>& args,
                                    size_t limit);

  std::string path_;
  // The file's schema version: kSchemaVersion once migrated; older when read as it is.
  int schema_version_ = kSchemaVersion;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<WalSync> sync_;  // destroyed before db_ closes
  std::unique_ptr<SQLite::Statement> upsert_task_;
  std::unique_ptr<SQLite::Statement> insert_attempt_;
  struct HeldAttempt {
    std::string run_id;
    AttemptRecord attempt;
  };
  HoldLimits limits_;
  std::vector<HeldAttempt> held_;  // by apply_awaited(), oldest first
  std::chrono::steady_clock::time_point held_since_;
};

}  // namespace flowweaver
