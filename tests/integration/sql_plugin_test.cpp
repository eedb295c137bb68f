// End-to-end runs of the real binary with the sql plugin (`uses: sql.query`, `sql.exec`),
// against SQLite files and a real PostgreSQL server this binary starts (postgres_server.h):
// once, for all its tests, which is why ctest runs this binary as one test.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "flowweaver_process.h"
#include "postgres_server.h"

namespace flowweaver::testing {
namespace {

using nlohmann::json;

std::string postgres_url() { return shared_postgres_url(); }

struct Run {
  TempDir dir;
  ProcessResult process;
  std::string db() const { return (dir.path() / "var" / "wf.db").string(); }
  std::string column(const std::string& column, const std::string& task) const {
    std::vector<std::string> rows =
        query_column(db(), "SELECT " + column + " FROM tasks WHERE task_name = '" + task + "'");
    return rows.size() == 1 ? rows[0] : "<" + std::to_string(rows.size()) + " rows>";
  }
  std::string status(const std::string& task) const { return column("status", task); }
  std::string error(const std::string& task) const { return column("error", task); }
  json output(const std::string& task) const { return json::parse(column("result", task)); }
  size_t attempts(const std::string& task) const {
    return query_column(db(), "SELECT attempt FROM attempts WHERE task_name = '" + task + "'")
        .size();
  }
};

// Runs `tasks` (YAML list items) as workflow "wf" in a fresh directory; each @URL@ in them
// becomes the test server's URL.
std::unique_ptr<Run> run_tasks(std::string tasks) {
  for (size_t at = tasks.find("@URL@"); at != std::string::npos; at = tasks.find("@URL@")) {
    tasks.replace(at, 5, postgres_url());
  }
  auto run = std::make_unique<Run>();
  run->dir.write("wf.yaml", "name: wf\ntasks:\n" + tasks);
  run->process = run_flowweaver({"run", "wf.yaml"}, run->dir.path());
  return run;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- SQLite ----

TEST(SqlSqliteTest, ExecWritesInOneTransactionAndQueryReadsTypedRows) {
  auto run = run_tasks(R"y(  - name: setup
    uses: sql.exec
    with:
      database: sqlite://data.db?mode=rwc
      sql:
        - CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, score REAL, photo BLOB, note TEXT)
        - {sql: "INSERT INTO people VALUES (?1, ?2, ?3, X'00FF41', NULL)", params: [1, Ada, 2.5]}
        - {sql: "INSERT INTO people (id, name, score) VALUES (?, ?, ?), (?, ?, ?)", params: [2, Bob, 1, 3, Cy, -0.5]}
  - name: read
    uses: sql.query
    depends_on: [setup]
    with:
      database: sqlite://data.db
      sql: SELECT id, name, score, photo, note FROM people WHERE score >= ?1 ORDER BY id
      params: [1]
)y");
  ASSERT_EQ(run->process.exit_code, 0) << run->process.out << run->process.err;
  EXPECT_EQ(run->output("setup"),
            json::parse(R"y({"rows_affected": 3, "statement_rows_affected": [0, 1, 2]})y"));
  EXPECT_EQ(run->output("read"), json::parse(R"y({
      "columns": ["id", "name", "score", "photo", "note"],
      "rows": [{"id": 1, "name": "Ada", "score": 2.5, "photo": "AP9B", "note": null},
               {"id": 2, "name": "Bob", "score": 1.0, "photo": null, "note": null}],
      "num_rows": 2, "truncated": false, "rows_affected": 0})y"));
}

TEST(SqlSqliteTest, ParamsAreBoundNeverSplicedIntoTheText) {
  auto run = run_tasks(R"y(  - name: write
    uses: sql.exec
    with:
      database: sqlite://data.db?mode=rwc
      sql: [CREATE TABLE t (v TEXT), {sql: "INSERT INTO t VALUES (?)", params: ["x'); DROP TABLE t; --"]}]
  - name: read
    uses: sql.query
    depends_on: [write]
    with: {database: "sqlite://data.db", sql: "SELECT v FROM t"}
)y");
  ASSERT_EQ(run->process.exit_code, 0) << run->process.out << run->process.err;
  EXPECT_EQ(run->output("read")["rows"], json::parse(R"y([{"v": "x'); DROP TABLE t; --"}])y"));
}

TEST(SqlSqliteTest, MaxRowsKeepsTheFirstRowsAndSaysSo) {
  auto run = run_tasks(R"y(  - name: count
    uses: sql.query
    with:
      database: "sqlite://:memory:"
      sql: WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) SELECT i FROM n
      max_rows: 2
)y");
  ASSERT_EQ(run->process.exit_code, 0) << run->process.out << run->process.err;
  json output = run->output("count");
  EXPECT_EQ(output["rows"], json::parse(R"y([{"i": 1}, {"i": 2}])y"));
  EXPECT_EQ(output["truncated"], true);
}

TEST(SqlSqliteTest, AFailedStatementRollsBackTheWholeExecAndIsNotRetried) {
  auto run = run_tasks(R"y(  - name: setup
    uses: sql.exec
    with: {database: "sqlite://data.db?mode=rwc", sql: "CREATE TABLE t (id INTEGER PRIMARY KEY)"}
  - name: batch
    uses: sql.exec
    depends_on: [setup]
    retries: 2
    retry_delay: 10ms
    with:
      database: sqlite://data.db
      sql: ["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)"]
)y");
  EXPECT_EQ(run->process.exit_code, 1) << run->process.out << run->process.err;
  EXPECT_EQ(run->status("batch"), "FAILED");
  EXPECT_EQ(run->attempts("batch"), 1u);
  EXPECT_EQ(run->error("batch"),
            "statement 2 of 2 (sql[1]): SQLite: UNIQUE constraint failed: t.id");
  EXPECT_EQ(query_one((run->dir.path() / "data.db").string(), "SELECT COUNT(*) FROM t"), "0");
}

TEST(SqlSqliteTest, ASyntaxErrorSaysWhereItIs) {
  auto run = run_tasks(R"y(  - name: bad
    uses: sql.query
    retries: 1
    retry_delay: 10ms
    with:
      database: "sqlite://:memory:"
      sql: "SELECT 1,\n  2 FROMM nowhere"
)y");
  EXPECT_EQ(run->process.exit_code, 1);
  EXPECT_EQ(run->attempts("bad"), 1u);
  EXPECT_EQ(run->error("bad"), "SQLite: near \"nowhere\": syntax error (at line 2, column 11)");
}

TEST(SqlSqliteTest, BadInputIsAPermanentErrorThatSaysTheFix) {
  auto run = run_tasks(R"y(  - name: missing_file
    uses: sql.query
    with: {database: "sqlite://no/such.db", sql: "SELECT 1"}
  - name: two_statements
    uses: sql.query
    with: {database: "sqlite://:memory:", sql: "SELECT 1; SELECT 2"}
  - name: param_count
    uses: sql.query
    with: {database: "sqlite://:memory:", sql: "SELECT ?1 + ?2", params: [1]}
  - name: same_names
    uses: sql.query
    with: {database: "sqlite://:memory:", sql: "SELECT 1 AS a, 2 AS a"}
  - name: scheme
    uses: sql.query
    with: {database: "mysql://root:hunter2@db/x", sql: "SELECT 1"}
)y");
  EXPECT_EQ(run->process.exit_code, 1);
  EXPECT_EQ(run->error("missing_file"),
            "SQLite database no/such.db does not exist (add ?mode=rwc to the URL to create it)");
  EXPECT_EQ(run->error("two_statements"),
            "sql holds more than one statement (the second starts at line 1, column 11): "
            "give each statement on its own (sql.exec takes a list of them)");
  EXPECT_EQ(run->error("param_count"),
            "sql has 2 parameter(s) (?, ?1, :name, ...), but params gives 1 value(s)");
  EXPECT_TRUE(contains(run->error("same_names"), "two columns named 'a'"))
      << run->error("same_names");
  EXPECT_TRUE(contains(run->error("scheme"), "has scheme 'mysql'")) << run->error("scheme");
  EXPECT_FALSE(contains(run->error("scheme"), "hunter2"));
}

// Only a second statement is refused: a closing semicolon, blank lines or a comment after the
// one statement are not.
TEST(SqlSqliteTest, WhatFollowsTheOneStatementMayBeACommentOrSemicolons) {
  auto run = run_tasks(R"y(  - name: tidy
    uses: sql.query
    with: {database: "sqlite://:memory:", sql: "SELECT 1 AS one; ;\n-- done\n/* really */\n"}
)y");
  ASSERT_EQ(run->process.exit_code, 0) << run->error("tidy");
  EXPECT_EQ(run->output("tidy")["rows"], json::parse(R"y([{"one": 1}])y"));
}

TEST(SqlSqliteTest, ADatabaseLockedByAnotherWriterIsRetried) {
  TempDir dir;
  SQLite::Database holder((dir.path() / "data.db").string(),
                          SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  holder.exec("CREATE TABLE t (x)");
  holder.exec("BEGIN IMMEDIATE");  // held until the run is over
  dir.write("wf.yaml", R"y(name: wf
tasks:
  - name: write
    uses: sql.exec
    retries: 1
    retry_delay: 10ms
    with: {database: "sqlite://data.db?busy_timeout=50", sql: "INSERT INTO t VALUES (1)"}
)y");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string db = (dir.path() / "var" / "wf.db").string();
  EXPECT_EQ(query_column(db, "SELECT attempt FROM attempts").size(), 2u);
  EXPECT_EQ(query_one(db, "SELECT error FROM tasks WHERE task_name = 'write'"),
            "SQLite: BEGIN IMMEDIATE: database is locked");
}

TEST(SqlSqliteTest, PluginsDescribeListsBothTaskTypes) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"plugins", "--describe", "sql"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "sql.query: Runs one SQL statement and returns its rows")) << r.out;
  EXPECT_TRUE(contains(r.out, "sql.exec: Runs SQL statements in one transaction")) << r.out;
  EXPECT_TRUE(contains(r.out, "max_rows (integer, default 1000)")) << r.out;
}

TEST(SqlSqliteTest, TheExampleRunsWithoutAServer) {
  TempDir dir;
  ProcessResult r =
      run_flowweaver({"run", FLOWWEAVER_SOURCE_DIR "/workflows/examples/sql.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> report =
      query_column((dir.path() / "var" / "sql_example.db").string(),
                   "SELECT result FROM tasks WHERE task_name = 'report'");
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(json::parse(report[0]),
            json::parse(R"y({"num_big_orders": 2, "biggest_customer": "ada"})y"));
}

// ---- PostgreSQL ----

TEST(SqlPostgresTest, ExecAndQueryRoundTripEveryKindOfValue) {
  auto run = run_tasks(R"y(  - name: setup
    uses: sql.exec
    with:
      database: @URL@
      sql:
        - DROP TABLE IF EXISTS kinds
        - CREATE TABLE kinds (id bigint, ok boolean, ratio float8, price numeric, name text, doc jsonb, raw bytea, day date, nothing text)
        - {sql: "INSERT INTO kinds VALUES ($1, $2, $3, $4, $5, $6, $7::bytea, $8, $9)", params: [9007199254740993, true, 0.25, "12345678901234567890.5", "Zoë", {"a": [1, null]}, "\\x00ff41", "2026-01-31", null]}
  - name: read
    uses: sql.query
    depends_on: [setup]
    with:
      database: @URL@
      sql: SELECT * FROM kinds WHERE name = $1
      params: [Zoë]
)y");
  ASSERT_EQ(run->process.exit_code, 0)
      << run->process.out << run->process.err << run->error("setup");
  EXPECT_EQ(run->output("setup")["statement_rows_affected"], json::parse("[0, 0, 1]"));
  EXPECT_EQ(run->output("read"), json::parse(R"y({
      "columns": ["id", "ok", "ratio", "price", "name", "doc", "raw", "day", "nothing"],
      "rows": [{"id": 9007199254740993, "ok": true, "ratio": 0.25,
                "price": "12345678901234567890.5", "name": "Zoë", "doc": {"a": [1, null]},
                "raw": "AP9B", "day": "2026-01-31", "nothing": null}],
      "num_rows": 1, "truncated": false, "rows_affected": 0})y"));
}

TEST(SqlPostgresTest, RowsAffectedAndMaxRows) {
  auto run = run_tasks(R"y(  - name: fill
    uses: sql.exec
    with:
      database: @URL@
      sql: [DROP TABLE IF EXISTS n, CREATE TABLE n (i int), "INSERT INTO n SELECT generate_series(1, 10)"]
  - name: bump
    uses: sql.query
    depends_on: [fill]
    with:
      database: @URL@
      sql: UPDATE n SET i = i + 100 WHERE i > $1 RETURNING i
      params: [7]
      max_rows: 1
)y");
  ASSERT_EQ(run->process.exit_code, 0)
      << run->process.out << run->process.err << run->error("fill");
  EXPECT_EQ(run->output("fill")["rows_affected"], 10);
  json bump = run->output("bump");
  EXPECT_EQ(bump["rows_affected"], 3);
  EXPECT_EQ(bump["num_rows"], 1);
  EXPECT_EQ(bump["truncated"], true);
}

TEST(SqlPostgresTest, AnSqlErrorCarriesTheServersMessageAndPositionAndIsNotRetried) {
  auto run = run_tasks(R"y(  - name: bad
    uses: sql.query
    retries: 2
    retry_delay: 10ms
    with:
      database: @URL@
      sql: "SELECT 1,\n  nosuchcolumn"
)y");
  EXPECT_EQ(run->process.exit_code, 1);
  EXPECT_EQ(run->attempts("bad"), 1u);
  EXPECT_EQ(run->error("bad"),
            "PostgreSQL: column \"nosuchcolumn\" does not exist (SQLSTATE 42703, at line 2, "
            "column 3)");
}

TEST(SqlPostgresTest, AFailedStatementRollsBackTheWholeExec) {
  auto run = run_tasks(R"y(  - name: setup
    uses: sql.exec
    with: {database: "@URL@", sql: [DROP TABLE IF EXISTS u, "CREATE TABLE u (id int PRIMARY KEY)"]}
  - name: batch
    uses: sql.exec
    depends_on: [setup]
    with:
      database: @URL@
      sql: ["INSERT INTO u VALUES (1)", {sql: "INSERT INTO u VALUES ($1)", params: [1]}]
  - name: count
    uses: sql.query
    depends_on: [batch]
    trigger_rule: all_done
    with: {database: "@URL@", sql: "SELECT count(*) AS n FROM u"}
)y");
  EXPECT_EQ(run->process.exit_code, 1);
  EXPECT_TRUE(contains(run->error("batch"),
                       "statement 2 of 2 (sql[1]): PostgreSQL: duplicate key value violates "
                       "unique constraint \"u_pkey\" (SQLSTATE 23505); detail: Key (id)=(1) "
                       "already exists."))
      << run->error("batch");
  EXPECT_EQ(run->output("count")["rows"], json::parse(R"y([{"n": 0}])y"));
}

TEST(SqlPostgresTest, AConnectionFailureIsRetried) {
  auto run = run_tasks(R"y(  - name: nobody_home
    uses: sql.query
    retries: 1
    retry_delay: 10ms
    with: {database: "postgresql://app:s3cret@127.0.0.1:1/x", sql: "SELECT 1"}
)y");
  EXPECT_EQ(run->process.exit_code, 1);
  EXPECT_EQ(run->attempts("nobody_home"), 2u);
  std::string error = run->error("nobody_home");
  EXPECT_TRUE(contains(error, "PostgreSQL: cannot connect to postgresql://app:***@127.0.0.1:1/x"))
      << error;
  EXPECT_FALSE(contains(error, "s3cret")) << error;
}

// The server's SQLSTATE decides: a serialization failure (40001) or a connection the server
// ends may pass on another attempt; a division by zero (22012) never does.
TEST(SqlPostgresTest, TheSqlstateDecidesWhetherAFailureIsRetried) {
  auto run = run_tasks(R"y(  - name: serialization
    uses: sql.exec
    retries: 1
    retry_delay: 10ms
    with:
      database: @URL@
      sql: "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$"
  - name: terminated
    uses: sql.query
    retries: 1
    retry_delay: 10ms
    with: {database: "@URL@", sql: "SELECT pg_terminate_backend(pg_backend_pid())"}
  - name: division
    uses: sql.query
    retries: 1
    retry_delay: 10ms
    with: {database: "@URL@", sql: "SELECT 1 / 0"}
)y");
  EXPECT_EQ(run->process.exit_code, 1);
  EXPECT_EQ(run->attempts("serialization"), 2u);
  EXPECT_EQ(run->error("serialization"), "PostgreSQL: conflict (SQLSTATE 40001)");
  EXPECT_EQ(run->attempts("terminated"), 2u);
  EXPECT_TRUE(contains(run->error("terminated"),
                       "PostgreSQL: connection failed while reading the result: FATAL: "
                       "terminating connection due to administrator command"))
      << run->error("terminated");
  EXPECT_EQ(run->attempts("division"), 1u);
  EXPECT_EQ(run->error("division"), "PostgreSQL: division by zero (SQLSTATE 22012)");
}

TEST(SqlPostgresTest, TheServersNoticesGoToTheTaskLog) {
  auto run = run_tasks(R"y(  - name: chatty
    uses: sql.exec
    with:
      database: @URL@
      sql: "DO $$ BEGIN RAISE NOTICE 'hello from plpgsql'; RAISE WARNING 'careful'; END $$"
)y");
  ASSERT_EQ(run->process.exit_code, 0) << run->error("chatty");
  ProcessResult logs = run_flowweaver({"logs", "wf", "chatty"}, run->dir.path());
  EXPECT_TRUE(contains(logs.out, "PostgreSQL NOTICE: hello from plpgsql")) << logs.out << logs.err;
  EXPECT_TRUE(contains(logs.out, "PostgreSQL WARNING: careful")) << logs.out;
  // libpq on its own prints "NOTICE:  hello ..." on stderr.
  EXPECT_FALSE(contains(run->process.err, "NOTICE:  hello")) << run->process.err;
}

TEST(SqlPostgresTest, ATimeoutCancelsTheStatementOnTheServer) {
  auto started = std::chrono::steady_clock::now();
  auto run = run_tasks(R"y(  - name: slow
    uses: sql.query
    timeout: 300ms
    with: {database: "@URL@", sql: "SELECT pg_sleep(30) AS slept_by_flowweaver_test"}
)y");
  EXPECT_EQ(run->process.exit_code, 1);
  EXPECT_EQ(run->status("slow"), "FAILED");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  auto check = run_tasks(R"y(  - name: activity
    uses: sql.query
    with:
      database: @URL@
      sql: SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slept_by_flowweaver_test%' AND pid <> pg_backend_pid()
)y");
  ASSERT_EQ(check->process.exit_code, 0) << check->error("activity");
  EXPECT_EQ(check->output("activity")["rows"], json::parse(R"y([{"n": 0}])y"));
}

}  // namespace
}  // namespace flowweaver::testing
