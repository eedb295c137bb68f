#include "warehouse.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <set>

namespace flowweaver::etl {
namespace {

using Json = nlohmann::json;

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// The one place SQLite result codes become errors: busy and locked are worth retrying.
WarehouseError sqlite_error(sqlite3* db, const std::string& path, int rc,
                            const std::string& doing) {
  int primary = rc & 0xff;
  return WarehouseError("warehouse '" + path + "': " + doing + ": " + sqlite3_errmsg(db),
                        primary == SQLITE_BUSY || primary == SQLITE_LOCKED);
}

WarehouseError usage_error(const std::string& path, const std::string& message) {
  return WarehouseError("warehouse '" + path + "': " + message, false);
}

std::string quoted(const std::string& identifier) { return "\"" + identifier + "\""; }

void create_parent_directory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    throw usage_error(path, "cannot create directory '" + parent.string() + "': " + ec.message());
  }
}

void check_name(const std::string& path, const std::string& name, const std::string& role) {
  if (!is_sql_identifier(name)) {
    throw usage_error(path, "'" + name + "' cannot be a " + role +
                                " name: use letters, digits and underscores, not starting with a "
                                "digit");
  }
}

void check_records(const std::string& path, const Json& records, const std::string& key) {
  if (!records.is_array()) throw usage_error(path, "records must be an array");
  for (size_t i = 0; i < records.size(); ++i) {
    const Json& record = records[i];
    std::string which = "record " + std::to_string(i + 1);
    if (!record.is_object()) throw usage_error(path, which + " is not an object");
    auto it = record.find(key);
    if (it == record.end() || it->is_null() || (it->is_string() && it->empty())) {
      throw usage_error(path, which + " has no value for the key column '" + key + "'");
    }
  }
}

std::string create_table_sql(const std::string& table, const std::string& key,
                             const std::vector<std::string>& columns) {
  std::string sql =
      "CREATE TABLE " + quoted(table) + " (" + quoted(key) + " TEXT PRIMARY KEY NOT NULL";
  for (const std::string& column : columns) {
    if (column != key) sql += ", " + quoted(column) + " TEXT";
  }
  return sql + ")";
}

std::string upsert_sql(const std::string& table, const std::string& key,
                       const std::vector<std::string>& columns) {
  std::string names, placeholders, updates;
  for (const std::string& column : columns) {
    names += (names.empty() ? "" : ", ") + quoted(column);
    placeholders += placeholders.empty() ? "?" : ", ?";
    if (column != key) {
      updates += (updates.empty() ? "" : ", ") + quoted(column) + " = excluded." + quoted(column);
    }
  }
  return "INSERT INTO " + quoted(table) + " (" + names + ") VALUES (" + placeholders +
         ") ON CONFLICT(" + quoted(key) + ") DO " +
         (updates.empty() ? "NOTHING" : "UPDATE SET " + updates);
}

int bind_value(sqlite3_stmt* statement, int index, const Json& record, const std::string& column) {
  auto it = record.find(column);
  if (it == record.end() || it->is_null()) return sqlite3_bind_null(statement, index);
  std::string text = it->is_string() ? it->get<std::string>() : it->dump();
  return sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                           SQLITE_TRANSIENT);
}

}  // namespace

bool is_sql_identifier(std::string_view name) {
  if (name.empty()) return false;
  auto is_letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!is_letter(name.front())) return false;
  for (char c : name) {
    if (!is_letter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::vector<std::string> record_columns(const Json& records, const std::string& key) {
  std::set<std::string> others;
  for (const Json& record : records) {
    if (!record.is_object()) continue;
    for (auto it = record.begin(); it != record.end(); ++it) {
      if (it.key() != key) others.insert(it.key());
    }
  }
  std::vector<std::string> columns{key};
  columns.insert(columns.end(), others.begin(), others.end());
  return columns;
}

Warehouse::Warehouse(const std::string& path, int busy_timeout_ms) : path_(path) {
  create_parent_directory(path);
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    WarehouseError error = db_ ? sqlite_error(db_, path_, rc, "opening the database")
                               : usage_error(path_, "out of memory opening the database");
    sqlite3_close(db_);
    throw error;
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Warehouse::~Warehouse() { sqlite3_close(db_); }

size_t Warehouse::upsert(const std::string& table, const std::string& key, const Json& records) {
  check_name(path_, table, "table");
  check_name(path_, key, "key column");
  check_records(path_, records, key);
  if (records.empty()) return 0;
  std::vector<std::string> columns = record_columns(records, key);
  for (const std::string& column : columns) check_name(path_, column, "column");
  // IMMEDIATE takes the write lock up front, so waiting for another writer happens here, under
  // the busy timeout, instead of failing halfway through.
  execute("BEGIN IMMEDIATE", "starting a transaction");
  try {
    ensure_table(table, key, columns);
    insert_all(table, key, columns, records);
    execute("COMMIT", "committing");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return records.size();
}

int64_t Warehouse::count_rows(const std::string& table) {
  check_name(path_, table, "table");
  if (existing_columns(table).empty()) return 0;
  sqlite3_stmt* raw = nullptr;
  int rc =
      sqlite3_prepare_v2(db_, ("SELECT count(*) FROM " + quoted(table)).c_str(), -1, &raw, nullptr);
  Statement statement(raw);
  if (rc != SQLITE_OK) throw sqlite_error(db_, path_, rc, "counting the rows of '" + table + "'");
  rc = sqlite3_step(statement.get());
  if (rc != SQLITE_ROW) throw sqlite_error(db_, path_, rc, "counting the rows of '" + table + "'");
  return sqlite3_column_int64(statement.get(), 0);
}

void Warehouse::execute(const std::string& sql, const std::string& what) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw sqlite_error(db_, path_, rc, what);
}

std::vector<std::string> Warehouse::existing_columns(const std::string& table) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, "SELECT name FROM pragma_table_info(?1)", -1, &raw, nullptr);
  Statement statement(raw);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(statement.get(), 1, table.c_str(), -1, SQLITE_STATIC);
  std::vector<std::string> columns;
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(statement.get());
    if (rc == SQLITE_ROW) {
      columns.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0)));
    }
  }
  if (rc != SQLITE_DONE)
    throw sqlite_error(db_, path_, rc, "reading the columns of '" + table + "'");
  return columns;
}

void Warehouse::ensure_table(const std::string& table, const std::string& key,
                             const std::vector<std::string>& columns) {
  std::vector<std::string> existing = existing_columns(table);
  if (existing.empty()) {
    execute(create_table_sql(table, key, columns), "creating table '" + table + "'");
    return;
  }
  std::set<std::string> have(existing.begin(), existing.end());
  if (!have.count(key)) {
    throw usage_error(path_, "table '" + table + "' exists but has no key column '" + key + "'");
  }
  for (const std::string& column : columns) {
    if (!have.count(column)) {
      execute("ALTER TABLE " + quoted(table) + " ADD COLUMN " + quoted(column) + " TEXT",
              "adding column '" + column + "' to '" + table + "'");
    }
  }
}

void Warehouse::insert_all(const std::string& table, const std::string& key,
                           const std::vector<std::string>& columns, const Json& records) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_, upsert_sql(table, key, columns).c_str(), -1, &raw, nullptr);
  Statement statement(raw);
  if (rc != SQLITE_OK)
    throw sqlite_error(db_, path_, rc, "preparing the upsert into '" + table + "'");
  for (size_t i = 0; i < records.size(); ++i) {
    for (size_t c = 0; c < columns.size() && rc == SQLITE_OK; ++c) {
      rc = bind_value(statement.get(), static_cast<int>(c + 1), records[i], columns[c]);
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(statement.get());
    if (rc != SQLITE_DONE) {
      throw sqlite_error(db_, path_, rc, "writing record " + std::to_string(i + 1));
    }
    sqlite3_reset(statement.get());
    rc = SQLITE_OK;
  }
}

}  // namespace flowweaver::etl
