// check: is a state file sound, can this flowweaver read it, and did a run stop without
// finishing? It only reads: the file is never created, migrated or changed.
#include <SQLiteCpp/SQLiteCpp.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "state/json_store.h"
#include "state/record_json.h"
#include "state/sqlite_reading.h"
#include "state/sqlite_store.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/suggest.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

constexpr int kExitNeedsAttention = 1;
constexpr std::array<const char*, 3> kTables = {"runs", "tasks", "attempts"};

struct CheckReport {
  bool is_json = false;
  uintmax_t size_bytes = 0;
  std::vector<std::string> integrity;  // {"ok"} when sound, else what is wrong
  int schema_version = 0, supported_version = 0;
  std::vector<std::string> tables, missing_tables;  // SQLite only
  std::optional<int64_t> num_runs;                  // unknown when unreadable
  std::vector<RunRecord> running;
  std::vector<std::string> problems;  // what needs attention, one line each
};

bool integrity_ok(const CheckReport& r) { return r.integrity == std::vector<std::string>{"ok"}; }

// One line per problem: a row of integrity_check may hold several, after a heading line.
void add_integrity_lines(const std::string& row, std::vector<std::string>* lines) {
  std::istringstream in(row);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.rfind("*** in database", 0) != 0) lines->push_back(line);
  }
}

void check_integrity(SQLite::Database& db, CheckReport* r) {
  try {
    SQLite::Statement q(db, "PRAGMA integrity_check");
    while (q.executeStep()) add_integrity_lines(q.getColumn(0).getString(), &r->integrity);
  } catch (const SQLite::Exception& e) {
    r->integrity.push_back(e.what());
  }
  if (r->integrity.empty()) r->integrity.push_back("no result");
  if (!integrity_ok(*r)) {
    r->problems.push_back("the integrity check failed (" + std::to_string(r->integrity.size()) +
                          " problem(s), the first: " + r->integrity.front() +
                          "): restore the state from a backup");
  }
}

void read_runs(SQLite::Database& db, CheckReport* r) {
  try {
    r->num_runs = db.execAndGet("SELECT count(*) FROM runs").getInt64();
    SQLite::Statement q(db,
                        "SELECT run_id, workflow, started_at FROM runs WHERE status = 'RUNNING' "
                        "ORDER BY started_at");
    while (q.executeStep()) {
      RunRecord run;
      run.run_id = q.getColumn(0).getString();
      run.workflow = q.getColumn(1).getString();
      run.started_at = parse_timestamp(q.getColumn(2).getString()).value_or(TimePoint{});
      r->running.push_back(std::move(run));
    }
  } catch (const SQLite::Exception& e) {
    r->problems.push_back(std::string("cannot read the runs: ") + e.what());
  }
}

CheckReport check_sqlite(const std::string& path) {
  CheckReport r;
  r.supported_version = SqliteStore::kSchemaVersion;
  std::unique_ptr<SQLite::Database> db;
  std::set<std::string> names;
  try {
    db = open_sqlite_for_reading(path);
    SQLite::Statement q(*db, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (q.executeStep()) names.insert(q.getColumn(0).getString());
    r.schema_version = db->execAndGet("PRAGMA user_version").getInt();
  } catch (const SQLite::Exception& e) {
    throw Error::State(path + " cannot be read as a SQLite database (" + e.what() +
                       "); if it is a FlowWeaver state, restore it from a backup");
  }
  for (const char* table : kTables)
    (names.count(table) ? r.tables : r.missing_tables).push_back(table);
  if (r.tables.empty() && r.schema_version == 0) {
    throw Error::State(path +
                       " is a SQLite database but not a FlowWeaver state (it has none of "
                       "the tables " +
                       join(r.missing_tables) + ")");
  }
  if (r.schema_version > r.supported_version) {
    r.problems.push_back("schema version " + std::to_string(r.schema_version) +
                         " is newer than this flowweaver supports (" +
                         std::to_string(r.supported_version) +
                         "): `run` refuses this file; use a newer flowweaver");
  }
  if (!r.missing_tables.empty()) r.problems.push_back("tables missing: " + join(r.missing_tables));
  check_integrity(*db, &r);
  if (r.schema_version <= r.supported_version && names.count("runs")) read_runs(*db, &r);
  return r;
}

CheckReport check_json(const std::string& path) {
  CheckReport r;
  r.is_json = true;
  r.supported_version = JsonStore::kFormatVersion;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::State("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    nlohmann::json doc = nlohmann::json::parse(text.str());
    if (!doc.is_object() || !doc.contains("runs") || !doc["runs"].is_array()) {
      throw Error::State(path + " is JSON but not a FlowWeaver state file (no \"runs\" list)");
    }
    r.integrity = {"ok"};
    r.schema_version = doc.value("version", 0);
    r.num_runs = static_cast<int64_t>(doc["runs"].size());
    for (const nlohmann::json& run : doc["runs"]) {
      if (run.value("status", "") == "RUNNING") r.running.push_back(run_from_json(run));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error::State(path + " is not a readable JSON state file (" + e.what() +
                       "); if it is a FlowWeaver state, restore it from a backup");
  }
  if (r.schema_version > r.supported_version) {
    r.problems.push_back("format version " + std::to_string(r.schema_version) +
                         " is newer than this flowweaver supports (" +
                         std::to_string(r.supported_version) + "): use a newer flowweaver");
  }
  return r;
}

nlohmann::json report_json(const std::string& path, const CheckReport& r) {
  nlohmann::json running = nlohmann::json::array();
  for (const RunRecord& run : r.running) {
    running.push_back({{"workflow", run.workflow},
                       {"run_id", run.run_id},
                       {"started_at", format_timestamp(run.started_at)}});
  }
  return {{"state", path},
          {"format", r.is_json ? "json" : "sqlite"},
          {"size_bytes", r.size_bytes},
          {"ok", r.problems.empty()},
          {"integrity", r.integrity},
          {"schema_version", r.schema_version},
          {"supported_schema_version", r.supported_version},
          {"tables", r.tables},
          {"missing_tables", r.missing_tables},
          {"runs", r.num_runs ? nlohmann::json(*r.num_runs) : nlohmann::json()},
          {"running_runs", running},
          {"problems", r.problems}};
}

void print_running(const std::vector<RunRecord>& running) {
  std::cout << "Runs left RUNNING (in progress, or their process died):\n";
  std::printf("  %-21s %-22s %s\n", "WORKFLOW", "RUN", "STARTED");
  for (const RunRecord& run : running) {
    std::printf("  %-21s %-22s %s\n", run.workflow.c_str(), run.run_id.c_str(),
                format_timestamp(run.started_at).c_str());
  }
  std::fflush(stdout);
  std::cout << "  If no flowweaver process is running them, `flowweaver run <manifest>` resumes "
               "them.\n";
}

void print_report(const std::string& path, const CheckReport& r) {
  std::cout << "State " << path << " (" << (r.is_json ? "JSON" : "SQLite") << ", " << r.size_bytes
            << " bytes)\n";
  std::cout << "  integrity:       " << (integrity_ok(r) ? "ok" : "FAILED") << "\n";
  if (!integrity_ok(r)) {
    constexpr size_t kShown = 10;
    for (size_t i = 0; i < r.integrity.size() && i < kShown; ++i) {
      std::cout << "    " << r.integrity[i] << "\n";
    }
    if (r.integrity.size() > kShown) {
      std::cout << "    ... and " << r.integrity.size() - kShown << " more\n";
    }
  }
  std::cout << "  " << (r.is_json ? "format" : "schema") << " version:  " << r.schema_version
            << " (this flowweaver supports " << r.supported_version << ")\n";
  if (!r.is_json) {
    std::cout << "  tables:          " << (r.tables.empty() ? "none" : join(r.tables))
              << (r.missing_tables.empty() ? "" : "; missing: " + join(r.missing_tables)) << "\n";
  }
  std::cout << "  runs:            "
            << (r.num_runs ? std::to_string(*r.num_runs) + ", " + std::to_string(r.running.size()) +
                                 " left RUNNING"
                           : std::string("not read"))
            << "\n";
  if (!r.running.empty()) print_running(r.running);
  if (r.problems.empty()) {
    std::cout << "All well.\n";
    return;
  }
  std::cout << "Needs attention:\n";
  for (const std::string& p : r.problems) std::cout << "  - " << p << "\n";
}

}  // namespace

int check_command(const std::string& state_path, bool json) {
  try {
    std::error_code ec;
    if (!fs::exists(state_path, ec)) throw Error::NotFound("no state at " + state_path);
    if (!fs::is_regular_file(state_path, ec)) {
      throw Error::State(state_path + " is not a regular file; give a state file");
    }
    bool is_json = fs::path(state_path).extension() == ".json";
    CheckReport r = is_json ? check_json(state_path) : check_sqlite(state_path);
    r.size_bytes = fs::file_size(state_path, ec);
    if (!r.running.empty()) {
      r.problems.push_back(std::to_string(r.running.size()) + " run(s) left RUNNING");
    }
    if (json) {
      std::cout << report_json(state_path, r).dump(2) << "\n";
    } else {
      print_report(state_path, r);
    }
    return r.problems.empty() ? kExitOk : kExitNeedsAttention;
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "\n";
    return kExitRuntime;
  }
}

void add_check_command(CommandRegistry& commands) {
  struct Arguments {
    std::string state;
    bool json = false;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* cmd = commands.add(
      "check", "Check a state file (integrity, schema version, runs left RUNNING); read-only",
      [args] { return check_command(args->state, args->json); });
  add_state_option(cmd, &args->state)->required();
  add_json_flag(cmd, &args->json);
}

}  // namespace flowweaver
