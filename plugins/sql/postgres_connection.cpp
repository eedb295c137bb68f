#include "postgres_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "postgres_values.h"
#include "row_values.h"
#include "statement_position.h"
#include "text_encoding.h"

namespace flowweaver {
namespace {

// How long one wait for the server lasts before `cancelled` is looked at again.
constexpr int kPollIntervalMs = 100;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnectionDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};

// libpq's messages end in a newline and may continue on a tab-indented line: one line here.
std::string trimmed(std::string_view text) {
  std::string line;
  for (char c : text) {
    bool space = c == '\n' || c == '\t' || c == ' ';
    if (space && (line.empty() || line.back() == ' ')) continue;
    line += space ? ' ' : c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return valid_utf8(line);
}

// SQLSTATE classes another attempt may not meet: connection exceptions (08), serialization
// failures and deadlocks (40), insufficient resources (53), operator intervention such as a
// server shutting down or a statement timeout (57), system errors (58).
bool is_retryable_sqlstate(const std::string& sqlstate) {
  std::string error_class = sqlstate.substr(0, 2);
  return error_class == "08" || error_class == "40" || error_class == "53" || error_class == "57" ||
         error_class == "58";
}

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value ? trimmed(value) : "";
}

class PostgresConnection : public SqlConnection {
 public:
  PostgresConnection(const PostgresUrl& url, TaskHooks hooks) : hooks_(std::move(hooks)) {
    // Later keywords win, and the URL (expanded from dbname) comes last: its own
    // connect_timeout or application_name overrides these.
    const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "dbname",
                          nullptr};
    const char* values[] = {"10", "flowweaver", "UTF8", url.uri.c_str(), nullptr};
    conn_.reset(PQconnectdbParams(keys, values, 1));
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
      std::string why = conn_ ? trimmed(PQerrorMessage(conn_.get())) : "out of memory";
      throw std::runtime_error("PostgreSQL: cannot connect to " + url.display + ": " + why);
    }
    // libpq would print them on stderr; they belong in the task's log.
    PQsetNoticeReceiver(conn_.get(), &PostgresConnection::on_notice, this);
  }

  StatementResult run(const SqlStatement& statement, size_t max_rows) override {
    send(statement);
    StatementResult result;
    bool has_columns = false;
    std::string error;
    bool error_retryable = false;
    while (Result r = next_result()) {
      ExecStatusType status = PQresultStatus(r.get());
      if ((status == PGRES_SINGLE_TUPLE || status == PGRES_TUPLES_OK) && !has_columns) {
        result.columns = columns_of(r.get());
        has_columns = true;
      }
      if (status == PGRES_SINGLE_TUPLE) {
        if (result.rows.size() < max_rows) {
          result.rows.push_back(row_of(r.get(), result.columns));
        } else {
          result.truncated = true;  // read and dropped: the statement still runs to its end
        }
      } else if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        result.rows_affected = rows_affected_of(r.get(), status);
      } else if (status == PGRES_EMPTY_QUERY) {
        error = "sql holds no statement, only comments";
      } else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
        end_copy(status);
        error = "COPY ... FROM STDIN / TO STDOUT is not supported: use INSERT or SELECT";
      } else if (error.empty()) {
        error = error_message(r.get(), statement.sql, error_retryable);
      }
    }
    if (!error.empty()) {
      if (error_retryable) throw std::runtime_error("PostgreSQL: " + error);
      throw PermanentError("PostgreSQL: " + error);
    }
    check_distinct_columns(result.columns);
    return result;
  }

  void begin() override { run({"BEGIN", Json::array()}, 0); }
  void commit() override { run({"COMMIT", Json::array()}, 0); }
  void rollback() noexcept override {
    try {
      if (PQstatus(conn_.get()) == CONNECTION_OK) run({"ROLLBACK", Json::array()}, 0);
    } catch (...) {
      // The server rolls back a transaction whose connection goes away.
    }
  }

 private:
  static void on_notice(void* self, const PGresult* notice) {
    std::string severity = field(notice, PG_DIAG_SEVERITY);
    std::string message = field(notice, PG_DIAG_MESSAGE_PRIMARY);
    static_cast<PostgresConnection*>(self)->hooks_.notice("PostgreSQL " + severity + ": " +
                                                          message);
  }

  void send(const SqlStatement& statement) {
    std::vector<std::string> texts;
    std::vector<const char*> values;
    texts.reserve(statement.params.size());
    for (size_t i = 0; i < statement.params.size(); ++i) {
      const Json& value = statement.params[i];
      texts.push_back(value.is_null() ? "" : postgres_param_text(value, i));
      values.push_back(value.is_null() ? nullptr : texts.back().c_str());
    }
    if (PQsendQueryParams(conn_.get(), statement.sql.c_str(), static_cast<int>(values.size()),
                          nullptr, values.data(), nullptr, nullptr, 0) == 0) {
      throw_connection_error("sending the statement");
    }
    PQsetSingleRowMode(conn_.get());
  }

  // The next result of the statement, or null after the last; waits for the server while
  // watching `cancelled`.
  Result next_result() {
    while (PQisBusy(conn_.get())) {
      wait_for_server();
      if (PQconsumeInput(conn_.get()) == 0) throw_connection_error("reading the result");
    }
    return Result(PQgetResult(conn_.get()));
  }

  void wait_for_server() {
    pollfd socket = {PQsocket(conn_.get()), POLLIN, 0};
    ::poll(&socket, 1, kPollIntervalMs);
    if (!cancel_sent_ && hooks_.cancelled()) {
      cancel_sent_ = true;  // the server then ends the statement with SQLSTATE 57014
      if (PGcancel* cancel = PQgetCancel(conn_.get())) {
        char why[256];
        PQcancel(cancel, why, sizeof why);
        PQfreeCancel(cancel);
      }
    }
  }

  [[noreturn]] void throw_connection_error(const std::string& doing) {
    throw std::runtime_error("PostgreSQL: connection failed while " + doing + ": " +
                             trimmed(PQerrorMessage(conn_.get())));
  }

  void end_copy(ExecStatusType status) {
    if (status == PGRES_COPY_IN) {
      PQputCopyEnd(conn_.get(), "not supported by sql.query/sql.exec");
      return;
    }
    char* buffer = nullptr;
    while (PQgetCopyData(conn_.get(), &buffer, 0) > 0) PQfreemem(buffer);
  }

  std::string error_message(const PGresult* result, const std::string& sql, bool& retryable) {
    std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
    std::string message = field(result, PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) message = trimmed(PQresultErrorMessage(result));
    if (cancel_sent_ && sqlstate == "57014") message = "cancelled (" + message + ")";
    retryable = sqlstate.empty() || is_retryable_sqlstate(sqlstate) ||
                PQstatus(conn_.get()) != CONNECTION_OK;
    std::string where = sqlstate.empty() ? "" : "SQLSTATE " + sqlstate;
    std::string position = field(result, PG_DIAG_STATEMENT_POSITION);
    if (!position.empty()) {
      where += ", at " + position_at_character(sql, std::strtoul(position.c_str(), nullptr, 10));
    }
    if (!where.empty()) message += " (" + where + ")";
    if (std::string detail = field(result, PG_DIAG_MESSAGE_DETAIL); !detail.empty()) {
      message += "; detail: " + detail;
    }
    if (std::string hint = field(result, PG_DIAG_MESSAGE_HINT); !hint.empty()) {
      message += "; hint: " + hint;
    }
    return message;
  }

  static std::vector<std::string> columns_of(const PGresult* result) {
    std::vector<std::string> columns;
    for (int i = 0; i < PQnfields(result); ++i) columns.push_back(valid_utf8(PQfname(result, i)));
    return columns;
  }

  static Json row_of(const PGresult* result, const std::vector<std::string>& columns) {
    Json row = Json::object();
    for (int i = 0; i < PQnfields(result); ++i) {
      row[columns[i]] = PQgetisnull(result, 0, i)
                            ? Json(nullptr)
                            : postgres_value(PQftype(result, i),
                                             {PQgetvalue(result, 0, i),
                                              static_cast<size_t>(PQgetlength(result, 0, i))});
    }
    return row;
  }

  // The command tag's count ("INSERT 0 3", "UPDATE 2"); a SELECT's count is rows read, not
  // affected. CREATE TABLE AS, which also reports "SELECT n", has no rows to return.
  static int64_t rows_affected_of(PGresult* result, ExecStatusType status) {
    std::string tag = PQcmdStatus(result);
    if (status == PGRES_TUPLES_OK && tag.starts_with("SELECT")) return 0;
    return std::strtoll(PQcmdTuples(result), nullptr, 10);
  }

  std::unique_ptr<PGconn, ConnectionDeleter> conn_;
  TaskHooks hooks_;
  bool cancel_sent_ = false;
};

}  // namespace

std::unique_ptr<SqlConnection> connect_postgres(const PostgresUrl& url, TaskHooks hooks) {
  return std::make_unique<PostgresConnection>(url, std::move(hooks));
}

}  // namespace flowweaver
