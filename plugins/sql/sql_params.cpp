#include "sql_params.h"

#include <string>

namespace flowweaver {
namespace {

const Json& param(const Json& with, const std::string& name) {
  auto it = with.find(name);
  if (it == with.end()) throw PermanentError("missing parameter '" + name + "'");
  return *it;
}

std::string text_param(const Json& value, const std::string& where) {
  if (!value.is_string()) {
    throw PermanentError("parameter '" + where + "' must be a string, but is " + value.dump());
  }
  return value.get<std::string>();
}

std::string sql_text(const Json& value, const std::string& where) {
  std::string sql = text_param(value, where);
  if (sql.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw PermanentError("parameter '" + where + "' is empty: give an SQL statement");
  }
  return sql;
}

// Values are bound, never spliced into the text, so any JSON value is safe here; only the
// shape of the list is checked.
Json params_list(const Json& value, const std::string& where) {
  if (!value.is_array()) {
    throw PermanentError("parameter '" + where +
                         "' must be a list of values bound to the placeholders in order (e.g. "
                         "[42, \"ada\"]), but is " +
                         value.dump());
  }
  return value;
}

SqlStatement statement_of_item(const Json& item, const std::string& where) {
  if (item.is_string()) return {sql_text(item, where), Json::array()};
  if (!item.is_object()) {
    throw PermanentError("parameter '" + where +
                         "' must be a statement: a string or {sql: ..., params: [...]}");
  }
  for (const auto& [key, value] : item.items()) {
    if (key != "sql" && key != "params") {
      throw PermanentError("parameter '" + where + "' has an unknown key '" + key +
                           "' (a statement has sql and params)");
    }
  }
  if (!item.contains("sql")) throw PermanentError("parameter '" + where + "' has no sql");
  Json params =
      item.contains("params") ? params_list(item["params"], where + ".params") : Json::array();
  return {sql_text(item["sql"], where + ".sql"), params};
}

size_t max_rows_of(const Json& value) {
  if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<int64_t>() < 0)) {
    throw PermanentError("parameter 'max_rows' must be a row count (0 or more), but is " +
                         value.dump());
  }
  return static_cast<size_t>(value.get<uint64_t>());
}

DatabaseUrl database_of(const Json& with) {
  return parse_database_url(text_param(param(with, "database"), "database"));
}

}  // namespace

QueryParams parse_query_params(const Json& with) {
  QueryParams query;
  query.database = database_of(with);
  query.statement = {sql_text(param(with, "sql"), "sql"),
                     params_list(param(with, "params"), "params")};
  query.max_rows = max_rows_of(param(with, "max_rows"));
  return query;
}

ExecParams parse_exec_params(const Json& with) {
  ExecParams exec;
  exec.database = database_of(with);
  const Json& sql = param(with, "sql");
  Json params = params_list(param(with, "params"), "params");
  if (!sql.is_array()) {
    exec.statements.push_back({sql_text(sql, "sql"), params});
    return exec;
  }
  if (!params.empty()) {
    throw PermanentError(
        "parameter 'params' is given with a list of statements: give each statement its own, "
        "as {sql: ..., params: [...]}");
  }
  if (sql.empty()) throw PermanentError("parameter 'sql' is an empty list: give a statement");
  for (size_t i = 0; i < sql.size(); ++i) {
    exec.statements.push_back(statement_of_item(sql[i], "sql[" + std::to_string(i) + "]"));
  }
  return exec;
}

}  // namespace flowweaver
