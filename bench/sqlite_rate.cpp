// The reference point for state writes: how fast raw SQLite (its C API, no FlowWeaver code)
// commits upserts of task rows with the state store's settings, so that the store's own rate
// can be read against what the disk and SQLite allow on the same machine in the same minute.
//
//   sqlite_rate DB ROWS ROWS_PER_TXN [normal|full]
//
// Same as host/state/sqlite_store.cpp: WAL, synchronous NORMAL (or FULL), a 5 s busy timeout,
// its checkpoint interval and page cache, the `tasks` table of SCHEMA.md (schema version 4),
// the same upsert statement, BEGIN IMMEDIATE ...
// COMMIT. DB is deleted first (with its -wal and -shm) and filled with ROWS PENDING rows in one
// untimed transaction; then every row is upserted to COMPLETED, ROWS_PER_TXN rows per
// transaction, and that is timed. Prints one line:
//   rows=10000 rows_per_txn=1 seconds=0.123 rows_per_s=81234 us_per_txn=12.3
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>

namespace flowweaver::bench {
namespace {

const char* kSchema = R"sql(
CREATE TABLE tasks (
  run_id          TEXT NOT NULL,
  task_name       TEXT NOT NULL,
  position        INTEGER NOT NULL,
  status          TEXT NOT NULL,
  attempt         INTEGER NOT NULL DEFAULT 0,
  result          TEXT,
  error           TEXT,
  timestamp       TEXT NOT NULL,
  started_at      TEXT,
  finished_at     TEXT,
  next_attempt_at TEXT,
  PRIMARY KEY (run_id, task_name)
);
)sql";

const char* kUpsert = R"sql(
  INSERT INTO tasks (run_id, task_name, position, status, attempt, result, error, timestamp,
                     started_at, finished_at, next_attempt_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
  ON CONFLICT (run_id, task_name) DO UPDATE SET
    position = ?3, status = ?4, attempt = ?5, result = ?6, error = ?7, timestamp = ?8,
    started_at = ?9, finished_at = ?10, next_attempt_at = ?11)sql";

// A row as the store writes it: COMPLETED with a null result and three timestamps, or PENDING.
struct Row {
  int position;
  bool completed;
};

class Database {
 public:
  explicit Database(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) fail("opening " + path);
  }
  ~Database() {
    sqlite3_finalize(upsert_);
    sqlite3_close(db_);
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  void prepare() {
    if (sqlite3_prepare_v2(db_, kUpsert, -1, &upsert_, nullptr) != SQLITE_OK) fail("prepare");
  }
  void upsert(const Row& row) {
    static const char* kTime = "2026-11-26T04:22:57.123Z";
    std::string name = "t" + std::to_string(row.position);
    sqlite3_reset(upsert_);
    sqlite3_bind_text(upsert_, 1, "20261126T042257-beef", -1, SQLITE_STATIC);
    sqlite3_bind_text(upsert_, 2, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(upsert_, 3, row.position);
    sqlite3_bind_text(upsert_, 4, row.completed ? "COMPLETED" : "PENDING", -1, SQLITE_STATIC);
    sqlite3_bind_int(upsert_, 5, row.completed ? 1 : 0);
    bind_text_or_null(6, row.completed ? "null" : nullptr);
    sqlite3_bind_null(upsert_, 7);
    sqlite3_bind_text(upsert_, 8, kTime, -1, SQLITE_STATIC);
    bind_text_or_null(9, row.completed ? kTime : nullptr);
    bind_text_or_null(10, row.completed ? kTime : nullptr);
    sqlite3_bind_null(upsert_, 11);
    if (sqlite3_step(upsert_) != SQLITE_DONE) fail("upsert");
  }

 private:
  void bind_text_or_null(int index, const char* text) {
    if (text) {
      sqlite3_bind_text(upsert_, index, text, -1, SQLITE_STATIC);
    } else {
      sqlite3_bind_null(upsert_, index);
    }
  }
  [[noreturn]] void fail(const std::string& doing) {
    throw std::runtime_error(doing + ": " + sqlite3_errmsg(db_));
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
};

double monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void open_like_the_store(Database& db, bool full) {
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("SELECT count(*) FROM sqlite_master");
  db.exec("PRAGMA journal_mode=WAL");
  db.exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA wal_autocheckpoint=4096");
  db.exec("PRAGMA cache_size=-32768");
  db.exec(kSchema);
  db.prepare();
}

// Untimed: the run's task rows exist before any of them is updated, as after create_run.
void fill_pending(Database& db, int rows) {
  db.exec("BEGIN IMMEDIATE");
  for (int i = 0; i < rows; ++i) db.upsert({i, false});
  db.exec("COMMIT");
}

double time_upserts(Database& db, int rows, int rows_per_txn) {
  double start = monotonic_seconds();
  for (int i = 0; i < rows; i += rows_per_txn) {
    db.exec("BEGIN IMMEDIATE");
    for (int j = i; j < rows && j < i + rows_per_txn; ++j) db.upsert({j, true});
    db.exec("COMMIT");
  }
  return monotonic_seconds() - start;
}

int run(const std::string& path, int rows, int rows_per_txn, bool full) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  Database db(path);
  open_like_the_store(db, full);
  fill_pending(db, rows);
  double seconds = time_upserts(db, rows, rows_per_txn);
  int txns = (rows + rows_per_txn - 1) / rows_per_txn;
  std::printf("rows=%d rows_per_txn=%d seconds=%.6f rows_per_s=%.0f us_per_txn=%.2f\n", rows,
              rows_per_txn, seconds, rows / seconds, seconds * 1e6 / txns);
  return 0;
}

}  // namespace
}  // namespace flowweaver::bench

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: sqlite_rate DB ROWS ROWS_PER_TXN [normal|full]\n");
    return 2;
  }
  int rows = std::atoi(argv[2]);
  int rows_per_txn = std::atoi(argv[3]);
  std::string durability = argc == 5 ? argv[4] : "normal";
  if (rows < 1 || rows_per_txn < 1 || (durability != "normal" && durability != "full")) {
    std::fprintf(stderr, "sqlite_rate: ROWS and ROWS_PER_TXN must be positive; normal or full\n");
    return 2;
  }
  try {
    return flowweaver::bench::run(argv[1], rows, rows_per_txn, durability == "full");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sqlite_rate: %s\n", e.what());
    return 1;
  }
}
