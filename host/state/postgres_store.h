// The PostgreSQL state store (SCHEMA.md, "PostgreSQL"): the SQLite schema's tables and columns in
// one database that every workflow shares (each row names its run, each run its workflow), over
// one libpq connection used from one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "state/postgres_connection.h"
#include "state/state_store.h"

namespace flowweaver {

class PostgresStore : public StateStore {
 public:
  // The schema version this binary writes (SQLite's numbering: the same tables and columns);
  // an older schema is migrated by a writer, a newer one refused.
  static constexpr int kSchemaVersion = 6;

  // Opens `url` for writing, creating or migrating the schema. Throws Error::State naming the
  // URL without its password.
  explicit PostgresStore(const std::string& url);
  // Opens `url` only to read it: nothing is created or migrated, and writes are refused by the
  // server (a read-only session). Throws Error::NotFound when the database holds no FlowWeaver
  // schema, Error::State when it cannot be used.
  struct ReadOnly {};
  PostgresStore(const std::string& url, ReadOnly);

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
  void import_runs(const std::vector<StoredRun>& runs) override;
  std::string describe() const override { return db_.describe(); }

 private:
  void migrate();
  // Inserts the run and its task rows; the caller holds a transaction.
  void insert_run(const RunRecord& run, const std::vector<TaskRecord>& tasks);
  std::vector<RunRecord> query_runs(const std::string& where, std::vector<PgParam> args,
                                    size_t limit);

  PgConnection db_;
};

// The schema version of the database at `db`, or nothing when it holds no FlowWeaver schema.
std::optional<int> postgres_schema_version(PgConnection& db);

}  // namespace flowweaver
