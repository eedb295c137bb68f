// The etl plugin: the three steps of workflows/customer_data_etl.yaml — extract records from a
// CSV file, validate them, load them into a SQLite table. It is built against the SDK alone,
// like a plugin written outside this repository; the work itself lives in csv_reader,
// record_validation and warehouse, and the tasks below only translate parameters and errors.
#include <algorithm>
#include <filesystem>
#include <flowweaver/sdk.hpp>

#include "csv_reader.h"
#include "record_validation.h"
#include "warehouse.h"

namespace {

namespace etl = flowweaver::etl;
using flowweaver::Context;
using flowweaver::Json;
using flowweaver::ParamType;
using flowweaver::PermanentError;

// Rejects beyond this many are counted in the log, not listed (the output lists them all).
constexpr size_t kMaxLoggedRejects = 10;

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

// An array parameter whose items must be strings (the host checks only that it is an array).
std::vector<std::string> string_list(const Context& ctx, const std::string& name) {
  std::vector<std::string> items;
  for (const Json& item : ctx.param(name)) {
    if (!item.is_string()) {
      throw PermanentError("task '" + std::string(ctx.task_name()) + "': parameter '" + name +
                           "' must list strings, not " + item.dump());
    }
    items.push_back(item.get<std::string>());
  }
  return items;
}

void check_required_columns(const std::string& path, const std::vector<std::string>& header,
                            const std::vector<std::string>& required) {
  std::vector<std::string> missing;
  for (const std::string& column : required) {
    if (std::find(header.begin(), header.end(), column) == header.end()) missing.push_back(column);
  }
  if (!missing.empty()) {
    throw PermanentError(path + ": the header lacks required column(s) " + join(missing, ", ") +
                         "; it has " + join(header, ", "));
  }
}

class ExtractCsv : public flowweaver::Task {
 public:
  Json run(Context& ctx) override {
    std::string path = ctx.param<std::string>("path");
    etl::CsvTable table;
    try {
      table = etl::read_csv_file(path);
    } catch (const etl::CsvError& e) {
      throw PermanentError(e.what());  // reading the same file again gives the same answer
    }
    check_required_columns(path, table.header, string_list(ctx, "required_columns"));
    Json records = Json::array();
    for (const etl::CsvRecord& row : table.rows) {
      Json record = Json::object();
      for (size_t i = 0; i < table.header.size(); ++i) record[table.header[i]] = row.fields[i];
      records.push_back(std::move(record));
    }
    ctx.log("info", "read " + std::to_string(records.size()) + " record(s) from " + path);
    return {{"path", path},
            {"count", records.size()},
            {"columns", table.header},
            {"records", std::move(records)}};
  }
};

class ValidateCustomers : public flowweaver::Task {
 public:
  Json run(Context& ctx) override {
    const Json& records = ctx.param("records");
    etl::ValidationRules rules{string_list(ctx, "required_fields"),
                               ctx.param<std::string>("email_field")};
    std::string id_field = ctx.param<std::string>("id_field");
    Json valid = Json::array();
    Json rejects = Json::array();
    for (size_t i = 0; i < records.size(); ++i) {
      std::vector<std::string> problems = etl::record_problems(records[i], rules);
      if (problems.empty()) {
        valid.push_back(records[i]);
        continue;
      }
      Json reject = {{"row", i + 1}, {"reason", join(problems, "; ")}};
      if (records[i].is_object() && records[i].contains(id_field)) {
        reject["id"] = records[i][id_field];
      }
      rejects.push_back(std::move(reject));
    }
    log_rejects(ctx, rejects, records.size());
    check_reject_ratio(ctx, rejects, records.size());
    return {{"count", valid.size()},
            {"rejected", rejects.size()},
            {"rejects", std::move(rejects)},
            {"records", std::move(valid)}};
  }

 private:
  static std::string describe(const Json& reject) {
    std::string text = "row " + reject["row"].dump();
    if (reject.contains("id")) {
      const Json& id = reject["id"];
      text += " (id " + (id.is_string() ? id.get<std::string>() : id.dump()) + ")";
    }
    return text + ": " + reject["reason"].get<std::string>();
  }

  static void log_rejects(const Context& ctx, const Json& rejects, size_t total) {
    for (size_t i = 0; i < rejects.size() && i < kMaxLoggedRejects; ++i) {
      ctx.log("warn", "rejected " + describe(rejects[i]));
    }
    if (rejects.size() > kMaxLoggedRejects) {
      ctx.log("warn", "rejected " + std::to_string(rejects.size() - kMaxLoggedRejects) +
                          " more record(s); the task's output lists them all");
    }
    ctx.log("info", std::to_string(total - rejects.size()) + " of " + std::to_string(total) +
                        " record(s) valid, " + std::to_string(rejects.size()) + " rejected");
  }

  static void check_reject_ratio(const Context& ctx, const Json& rejects, size_t total) {
    Json max_ratio = ctx.param("max_reject_ratio");
    if (max_ratio.get<double>() < 0 || max_ratio.get<double>() > 1) {
      throw PermanentError("task '" + std::string(ctx.task_name()) +
                           "': max_reject_ratio must be between 0 and 1, not " + max_ratio.dump());
    }
    if (total == 0 || static_cast<double>(rejects.size()) / total <= max_ratio.get<double>()) {
      return;
    }
    throw PermanentError(std::to_string(rejects.size()) + " of " + std::to_string(total) +
                         " record(s) rejected, more than max_reject_ratio " + max_ratio.dump() +
                         " allows; first: " + describe(rejects[0]));
  }
};

class LoadSqlite : public flowweaver::Task {
 public:
  Json run(Context& ctx) override {
    std::string database = ctx.param<std::string>("database");
    std::string table = ctx.param<std::string>("table");
    try {
      etl::Warehouse warehouse(database);
      size_t loaded = warehouse.upsert(table, ctx.param<std::string>("key"), ctx.param("records"));
      int64_t rows = warehouse.count_rows(table);
      ctx.log("info", "upserted " + std::to_string(loaded) + " record(s) into " + table + " of " +
                          database + ", which now has " + std::to_string(rows) + " row(s)");
      return {{"loaded", loaded},
              {"rows", rows},
              {"table", table},
              {"database", std::filesystem::absolute(database).lexically_normal().string()}};
    } catch (const etl::WarehouseError& e) {
      if (e.retryable()) throw;  // another writer held the database: worth another attempt
      throw PermanentError(e.what());
    }
  }
};

}  // namespace

FLOWWEAVER_PLUGIN(etl, "1.0.0") {
  plugin.task<ExtractCsv>("extract_csv", "Reads a CSV file with a header row into records")
      .required("path", ParamType::String, "The CSV file (RFC 4180: quoted fields, LF or CRLF)")
      .optional("required_columns", ParamType::Array, Json::array(),
                "Column names the header must contain");
  plugin
      .task<ValidateCustomers>("validate_customers",
                               "Keeps records with the required fields and a plausible email; "
                               "counts and lists the rest")
      .required("records", ParamType::Array, "Records to check, e.g. an extract task's records")
      .optional("required_fields", ParamType::Array, Json::array({"id", "name", "email"}),
                "Fields that must be present and not blank")
      .optional("email_field", ParamType::String, "email",
                "Field whose value must look like an email address; \"\" to skip the check")
      .optional("id_field", ParamType::String, "id", "Field that names a record in reject reports")
      .optional("max_reject_ratio", ParamType::Number, 1.0,
                "Fail when a larger share of the records is rejected (0 to 1; 1 never fails)");
  plugin
      .task<LoadSqlite>("load_sqlite",
                        "Upserts records into a SQLite table; loading again leaves the same rows")
      .required("database", ParamType::String,
                "The SQLite file; it and its directory are created when missing")
      .required("records", ParamType::Array, "Records (objects) to load, e.g. validated records")
      .optional("table", ParamType::String, "customers",
                "Table to load into; created with a TEXT column per record field")
      .optional("key", ParamType::String, "id",
                "Primary key column: a record whose key exists replaces that row's values");
}
