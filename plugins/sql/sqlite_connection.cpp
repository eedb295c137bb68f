#include "sqlite_connection.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>

#include "row_values.h"
#include "statement_position.h"
#include "text_encoding.h"

namespace flowweaver {
namespace {

// How many virtual-machine steps pass between two looks at `cancelled`.
constexpr int kStepsPerCancelCheck = 1000;

int open_flags(SqliteMode mode) {
  switch (mode) {
    case SqliteMode::kReadOnly:
      return SQLite::OPEN_READONLY;
    case SqliteMode::kReadWrite:
      return SQLite::OPEN_READWRITE;
    case SqliteMode::kReadWriteCreate:
      return SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
  }
  return SQLite::OPEN_READWRITE;
}

// Errors that another attempt may not meet: a lock held by another writer, a full or failing
// disk, an interrupted statement. Everything else (syntax, constraints, types) fails the same
// way every time.
bool is_retryable(int code) {
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT:
    case SQLITE_PROTOCOL:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void throw_error(const std::string& message, int code) {
  std::string text = "SQLite: " + message;
  if (is_retryable(code)) throw std::runtime_error(text);
  throw PermanentError(text);
}

Json value_of(const SQLite::Column& column) {
  switch (column.getType()) {
    case SQLITE_INTEGER:
      return column.getInt64();
    case SQLITE_FLOAT:
      return float_value(column.getDouble());
    case SQLITE_TEXT:
      return valid_utf8(column.getString());
    case SQLITE_BLOB:
      return base64_encode(
          std::string_view(static_cast<const char*>(column.getBlob()), column.getBytes()));
    default:
      return nullptr;
  }
}

void bind_value(SQLite::Statement& statement, int index, const Json& value) {
  if (value.is_null()) {
    statement.bind(index);
  } else if (value.is_boolean()) {
    statement.bind(index, static_cast<int64_t>(value.get<bool>() ? 1 : 0));
  } else if (value.is_number_unsigned()) {
    if (value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      throw PermanentError("params[" + std::to_string(index - 1) + "] (" + value.dump() +
                           ") is too large for a 64-bit integer");
    }
    statement.bind(index, value.get<int64_t>());
  } else if (value.is_number_integer()) {
    statement.bind(index, value.get<int64_t>());
  } else if (value.is_number_float()) {
    statement.bind(index, value.get<double>());
  } else if (value.is_string()) {
    statement.bind(index, value.get<std::string>());
  } else {
    statement.bind(index, value.dump());  // a list or object, as JSON text (SQLite's json1)
  }
}

class SqliteConnection : public SqlConnection {
 public:
  SqliteConnection(const SqliteUrl& url, std::function<bool()> cancelled)
      : db_(open(url)), cancelled_(std::move(cancelled)) {
    sqlite3_progress_handler(db_.getHandle(), kStepsPerCancelCheck, &SqliteConnection::on_progress,
                             this);
  }

  StatementResult run(const SqlStatement& statement, size_t max_rows) override {
    std::string first = first_statement(statement.sql);
    try {
      SQLite::Statement prepared(db_, first);
      bind_all(prepared, statement.params);
      return step_all(prepared, max_rows);
    } catch (const SQLite::Exception& e) {
      throw_error(e.what(), e.getErrorCode());
    }
  }

  void begin() override { exec_control("BEGIN IMMEDIATE"); }
  void commit() override { exec_control("COMMIT"); }
  void rollback() noexcept override { db_.tryExec("ROLLBACK"); }

 private:
  static SQLite::Database open(const SqliteUrl& url) {
    if (url.path != ":memory:" && url.mode != SqliteMode::kReadWriteCreate &&
        !std::filesystem::exists(url.path)) {
      throw PermanentError("SQLite database " + url.path +
                           " does not exist (add ?mode=rwc to the URL to create it)");
    }
    try {
      return SQLite::Database(url.path, open_flags(url.mode), url.busy_timeout_ms);
    } catch (const SQLite::Exception& e) {
      throw_error("cannot open " + url.path + ": " + e.what(), e.getErrorCode());
    }
  }

  static int on_progress(void* self) {
    return static_cast<SqliteConnection*>(self)->cancelled_() ? 1 : 0;
  }

  void exec_control(const char* sql) {
    try {
      db_.exec(sql);
    } catch (const SQLite::Exception& e) {
      throw_error(std::string(sql) + ": " + e.what(), e.getErrorCode());
    }
  }

  // The text of the one statement in `sql`: a syntax error (with where it is), no statement at
  // all, or a second statement is a PermanentError. SQLiteCpp would run the first and ignore
  // the rest without a word.
  std::string first_statement(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int code = sqlite3_prepare_v2(db_.getHandle(), sql.c_str(), -1, &raw, &tail);
    if (code != SQLITE_OK) {
      std::string message = sqlite3_errmsg(db_.getHandle());
      int offset = sqlite3_error_offset(db_.getHandle());
      if (offset >= 0)
        message += " (at " + position_at_byte(sql, static_cast<size_t>(offset)) + ")";
      throw_error(message, code);
    }
    sqlite3_finalize(raw);
    if (raw == nullptr) throw PermanentError("sql holds no statement, only comments");
    size_t first_length = static_cast<size_t>(tail - sql.c_str());
    if (holds_another_statement(tail)) {
      size_t second = sql.find_first_not_of(" \t\r\n", first_length);
      throw PermanentError("sql holds more than one statement (the second starts at " +
                           position_at_byte(sql, second) +
                           "): give each statement on its own (sql.exec takes a list of them)");
    }
    return sql.substr(0, first_length);
  }

  bool holds_another_statement(const char* text) {
    while (*text != '\0') {
      sqlite3_stmt* raw = nullptr;
      const char* tail = nullptr;
      int code = sqlite3_prepare_v2(db_.getHandle(), text, -1, &raw, &tail);
      sqlite3_finalize(raw);
      if (code != SQLITE_OK || raw != nullptr) return true;
      if (tail == text) return false;
      text = tail;
    }
    return false;
  }

  void bind_all(SQLite::Statement& prepared, const Json& params) {
    int expected = prepared.getBindParameterCount();
    if (static_cast<size_t>(expected) != params.size()) {
      throw PermanentError("sql has " + std::to_string(expected) +
                           " parameter(s) (?, ?1, :name, ...), but params gives " +
                           std::to_string(params.size()) + " value(s)");
    }
    for (size_t i = 0; i < params.size(); ++i)
      bind_value(prepared, static_cast<int>(i + 1), params[i]);
  }

  StatementResult step_all(SQLite::Statement& prepared, size_t max_rows) {
    StatementResult result;
    for (int i = 0; i < prepared.getColumnCount(); ++i) {
      result.columns.emplace_back(valid_utf8(prepared.getColumnName(i)));
    }
    check_distinct_columns(result.columns);
    int64_t changes_before = sqlite3_total_changes64(db_.getHandle());
    while (prepared.executeStep()) {
      if (result.rows.size() == max_rows) {
        result.truncated = true;
        continue;  // read to the end: a statement with RETURNING finishes its work
      }
      Json row = Json::object();
      for (int i = 0; i < prepared.getColumnCount(); ++i) {
        row[result.columns[i]] = value_of(prepared.getColumn(i));
      }
      result.rows.push_back(std::move(row));
    }
    // sqlite3_changes keeps the count of the last INSERT, UPDATE or DELETE, even when this
    // statement was none of them: only trust it when this statement changed something.
    if (sqlite3_total_changes64(db_.getHandle()) != changes_before) {
      result.rows_affected = sqlite3_changes64(db_.getHandle());
    }
    return result;
  }

  SQLite::Database db_;
  std::function<bool()> cancelled_;
};

}  // namespace

std::unique_ptr<SqlConnection> connect_sqlite(const SqliteUrl& url,
                                              std::function<bool()> cancelled) {
  return std::make_unique<SqliteConnection>(url, std::move(cancelled));
}

}  // namespace flowweaver
