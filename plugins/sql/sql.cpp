// The sql plugin: `uses: sql.query` runs one statement and returns its rows; `uses: sql.exec`
// runs one statement or a list of them in one transaction and returns how many rows they
// changed. Both talk to SQLite (sqlite://) or PostgreSQL (postgresql://); see database_url.h.
//
// Values in `params` are bound to the placeholders (?1 or ? in SQLite, $1 in PostgreSQL),
// never spliced into the text. Rows are objects keyed by column name: integers, floats, text,
// booleans and null as themselves; PostgreSQL json/jsonb parsed; numeric, dates and every
// other type as their text; BLOB/bytea as base64.
//
// A connection that fails, is lost or is busy fails the attempt (retried per the task's
// policy); an error in the SQL fails the task for good, with the database's message and the
// line and column it points at. A failed sql.exec leaves the database as it was.
#include <flowweaver/sdk.hpp>
#include <string>

#include "sql_connection.h"
#include "sql_params.h"

namespace flowweaver {
namespace {

// Says which statement of a list failed, keeping the error's kind (retryable or not).
template <class Error>
[[noreturn]] void rethrow_for_statement(const Error& e, size_t index, size_t count) {
  if (count == 1) throw e;
  throw Error("statement " + std::to_string(index + 1) + " of " + std::to_string(count) + " (sql[" +
              std::to_string(index) + "]): " + e.what());
}

Json rows_output(const StatementResult& result) {
  return {{"columns", result.columns},
          {"rows", result.rows},
          {"num_rows", result.rows.size()},
          {"truncated", result.truncated},
          {"rows_affected", result.rows_affected}};
}

TaskHooks hooks_of(const Context& ctx) {
  return {[&ctx] { return ctx.cancelled(); },
          [&ctx](const std::string& notice) { ctx.log("info", notice); }};
}

class Query : public Task {
 public:
  Json run(Context& ctx) override {
    QueryParams query = parse_query_params(ctx.params());
    auto connection = connect(query.database, hooks_of(ctx));
    StatementResult result = connection->run(query.statement, query.max_rows);
    if (result.truncated) {
      ctx.log("warn", "kept the first " + std::to_string(query.max_rows) +
                          " rows (max_rows); the rest were dropped");
    }
    return rows_output(result);
  }
};

class Exec : public Task {
 public:
  Json run(Context& ctx) override {
    ExecParams exec = parse_exec_params(ctx.params());
    auto connection = connect(exec.database, hooks_of(ctx));
    connection->begin();
    Json each = Json::array();
    int64_t total = 0;
    for (size_t i = 0; i < exec.statements.size(); ++i) {
      int64_t affected = run_one(*connection, exec.statements, i);
      each.push_back(affected);
      total += affected;
    }
    try {
      connection->commit();
    } catch (...) {
      connection->rollback();
      throw;
    }
    return {{"rows_affected", total}, {"statement_rows_affected", each}};
  }

 private:
  static int64_t run_one(SqlConnection& connection, const std::vector<SqlStatement>& statements,
                         size_t index) {
    try {
      return connection.run(statements[index], 0).rows_affected;
    } catch (const PermanentError& e) {
      connection.rollback();
      rethrow_for_statement(e, index, statements.size());
    } catch (const std::runtime_error& e) {
      connection.rollback();
      rethrow_for_statement(e, index, statements.size());
    }
  }
};

}  // namespace
}  // namespace flowweaver

FLOWWEAVER_PLUGIN(sql, "1.0.0") {
  using flowweaver::Json;
  using flowweaver::ParamType;
  const char* database_help =
      "sqlite:///abs/path.db, sqlite://relative/path.db (?mode=ro, rw (default: the file must "
      "exist) or rwc), or postgresql://user:password@host:port/dbname";
  plugin.task<flowweaver::Query>("query", "Runs one SQL statement and returns its rows")
      .required("database", ParamType::String, database_help)
      .required("sql", ParamType::String,
                "One statement; placeholders ?1 or ? (SQLite), $1 (PostgreSQL)")
      .optional("params", ParamType::Array, Json::array(),
                "Values bound to the placeholders in order; never spliced into the text")
      .optional("max_rows", ParamType::Integer, 1000,
                "Rows kept in the output; the rest are dropped and truncated set");
  plugin
      .task<flowweaver::Exec>("exec",
                              "Runs SQL statements in one transaction; returns rows affected")
      .required("database", ParamType::String, database_help)
      .required("sql", ParamType::Any,
                "One statement, or a list of statements (each a string or {sql, params}) run in "
                "one transaction")
      .optional("params", ParamType::Array, Json::array(),
                "Values bound to the placeholders of a single statement, in order");
}
