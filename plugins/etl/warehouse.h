// The load side of the pipeline: a SQLite database of plain tables, written with upserts so
// that loading the same records again leaves the same rows.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace flowweaver::etl {

// Why a warehouse operation failed. retryable() is true when the same call may succeed later
// (another connection held the database longer than the busy timeout).
class WarehouseError : public std::runtime_error {
 public:
  WarehouseError(const std::string& message, bool retryable)
      : std::runtime_error(message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

// True for names usable as a table or column without escaping: an ASCII letter or underscore,
// then letters, digits or underscores. Everything else is refused rather than quoted, so a
// name taken from a data file can never change the meaning of a statement.
bool is_sql_identifier(std::string_view name);

// The columns to load from `records` (JSON objects): `key` first, then every other key that
// appears in any record, in name order.
std::vector<std::string> record_columns(const nlohmann::json& records, const std::string& key);

// One connection to one database file. Not thread-safe; open one per task call.
class Warehouse {
 public:
  // Opens the database at `path`, creating the file and its parent directories when missing.
  // Waits up to `busy_timeout_ms` for other writers before giving up. Throws WarehouseError.
  explicit Warehouse(const std::string& path, int busy_timeout_ms = 10000);
  ~Warehouse();
  Warehouse(const Warehouse&) = delete;
  Warehouse& operator=(const Warehouse&) = delete;

  // Writes every record into `table` in one transaction, inserting new keys and updating rows
  // whose `key` exists: all records are written or none. A missing table is created with one
  // TEXT column per record key and `key` as primary key; an existing one gains the columns it
  // lacks. Strings and nulls are stored as such, other values as their JSON text. Returns the
  // number of records written. Throws WarehouseError (and leaves the table unchanged) when a
  // name is not an identifier, a record is not an object or has no `key` value, or SQLite fails.
  size_t upsert(const std::string& table, const std::string& key, const nlohmann::json& records);

  // The number of rows in `table`; 0 when there is no such table. Throws WarehouseError.
  int64_t count_rows(const std::string& table);

 private:
  void execute(const std::string& sql, const std::string& what);
  std::vector<std::string> existing_columns(const std::string& table);
  void ensure_table(const std::string& table, const std::string& key,
                    const std::vector<std::string>& columns);
  void insert_all(const std::string& table, const std::string& key,
                  const std::vector<std::string>& columns, const nlohmann::json& records);

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace flowweaver::etl
