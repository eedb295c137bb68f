// The `with:` objects of sql.query and sql.exec, checked (defaults already filled in by the
// host). Each function throws PermanentError naming the parameter when a value cannot work.
#pragma once

#include <cstddef>
#include <flowweaver/sdk.hpp>
#include <string>
#include <vector>

#include "database_url.h"
#include "sql_connection.h"

namespace flowweaver {

struct QueryParams {
  DatabaseUrl database;
  SqlStatement statement;
  size_t max_rows = 0;
};

struct ExecParams {
  DatabaseUrl database;
  std::vector<SqlStatement> statements;  // run in order, in one transaction
};

// database, sql (one statement), params (a list), max_rows.
QueryParams parse_query_params(const Json& with);

// database, sql and params. `sql` is one statement (with `params`) or a list of statements,
// each a string or {sql: ..., params: [...]}.
ExecParams parse_exec_params(const Json& with);

}  // namespace flowweaver
