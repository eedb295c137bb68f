// LD_PRELOAD shim that counts what a process writes to SQLite, so the state store's write rate
// is measured in rows actually written rather than estimated from the code: every row changed
// by an INSERT, UPDATE or DELETE (sqlite3_changes() after the statement finishes) and every
// committed transaction (a commit hook on every connection opened). At exit it appends
//   rows=40001 commits=523
// to the file named by FLOWWEAVER_BENCH_WRITE_COUNT. Used in an untimed run only: interposing
// costs a little per statement.
#include <dlfcn.h>
#include <sqlite3.h>
#include <strings.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace {

std::atomic<long long> g_rows{0};
std::atomic<long long> g_commits{0};

template <class Fn>
Fn next_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

int count_commit(void*) {
  ++g_commits;
  return 0;  // non-zero would turn the commit into a rollback
}

bool is_row_write(sqlite3_stmt* stmt) {
  if (sqlite3_stmt_readonly(stmt)) return false;
  const char* sql = sqlite3_sql(stmt);
  while (sql && (*sql == ' ' || *sql == '\n' || *sql == '\t')) ++sql;
  return sql && (strncasecmp(sql, "INSERT", 6) == 0 || strncasecmp(sql, "UPDATE", 6) == 0 ||
                 strncasecmp(sql, "DELETE", 6) == 0);
}

__attribute__((destructor)) void report() {
  const char* path = std::getenv("FLOWWEAVER_BENCH_WRITE_COUNT");
  if (!path) return;
  if (FILE* out = std::fopen(path, "a")) {
    std::fprintf(out, "rows=%lld commits=%lld\n", g_rows.load(), g_commits.load());
    std::fclose(out);
  }
}

}  // namespace

extern "C" {

int sqlite3_open_v2(const char* filename, sqlite3** db, int flags, const char* vfs) {
  using OpenFn = int (*)(const char*, sqlite3**, int, const char*);
  static OpenFn real = next_symbol<OpenFn>("sqlite3_open_v2");
  int rc = real(filename, db, flags, vfs);
  if (rc == SQLITE_OK && *db) sqlite3_commit_hook(*db, count_commit, nullptr);
  return rc;
}

int sqlite3_step(sqlite3_stmt* stmt) {
  using StepFn = int (*)(sqlite3_stmt*);
  static StepFn real = next_symbol<StepFn>("sqlite3_step");
  int rc = real(stmt);
  if (rc == SQLITE_DONE && is_row_write(stmt)) g_rows += sqlite3_changes(sqlite3_db_handle(stmt));
  return rc;
}

}  // extern "C"
