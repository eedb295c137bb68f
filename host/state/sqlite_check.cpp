// check_state() for a SQLite state file: its tables, schema version, PRAGMA integrity_check and
// the runs left RUNNING, all through a connection that never writes (sqlite_reading.h).
#include <SQLiteCpp/SQLiteCpp.h>

#include <array>
#include <memory>
#include <set>
#include <sstream>

#include "state/sqlite_reading.h"
#include "state/sqlite_store.h"
#include "state/state_check.h"
#include "util/error.h"
#include "util/suggest.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

constexpr std::array<const char*, 3> kTables = {"runs", "tasks", "attempts"};

// One line per problem: a row of integrity_check may hold several, after a heading line.
void add_integrity_lines(const std::string& row, std::vector<std::string>* lines) {
  std::istringstream in(row);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.rfind("*** in database", 0) != 0) lines->push_back(line);
  }
}

void check_integrity(SQLite::Database& db, StateCheck* r) {
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

void read_runs(SQLite::Database& db, StateCheck* r) {
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

}  // namespace

StateCheck check_sqlite_state(const std::string& path) {
  StateCheck r;
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

}  // namespace flowweaver
