// What sql.query and sql.exec ask of a database, whichever it is: run one statement with its
// bound parameters, inside or outside a transaction. One implementation per database
// (sqlite_connection, postgres_connection); connect() picks it from the URL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <flowweaver/sdk.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "database_url.h"

namespace flowweaver {

// One statement and the values bound to its placeholders (?1/? in SQLite, $1 in PostgreSQL):
// a JSON list, never spliced into the text.
struct SqlStatement {
  std::string sql;
  Json params = Json::array();
};

struct StatementResult {
  std::vector<std::string> columns;  // in the order the statement gives them
  Json rows = Json::array();         // objects keyed by column name, at most max_rows
  bool truncated = false;            // the statement returned more rows than max_rows
  int64_t rows_affected = 0;         // rows inserted, updated or deleted; 0 for a SELECT
};

// What a connection may ask of the task it runs for.
struct TaskHooks {
  // True once the task should stop (its timeout passed or the host is stopping).
  std::function<bool()> cancelled = [] { return false; };
  // A message the server sent beside the result (PostgreSQL's NOTICE and WARNING), for the
  // task's log.
  std::function<void(const std::string&)> notice = [](const std::string&) {};
};

// Errors: a connection that fails, is lost or is busy throws std::runtime_error (the attempt
// is retried); an error in the SQL or its parameters throws PermanentError, with the
// database's message and where in the statement it is.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs `statement`, keeping its first `max_rows` rows; the rest are read and dropped.
  virtual StatementResult run(const SqlStatement& statement, size_t max_rows) = 0;
  virtual void begin() = 0;
  virtual void commit() = 0;
  // Best effort, after a failure: never throws.
  virtual void rollback() noexcept = 0;
};

std::unique_ptr<SqlConnection> connect(const DatabaseUrl& url, TaskHooks hooks);

}  // namespace flowweaver
