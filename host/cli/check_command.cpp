// check: is a state file sound, can this flowweaver read it, and did a run stop without
// finishing? It only reads (state/state_check.h): the file is never created, migrated or changed.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "state/postgres_connection.h"
#include "state/state_check.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/suggest.h"
#include "util/time_format.h"

namespace flowweaver {
namespace {

constexpr int kExitNeedsAttention = 1;

bool is_json(const StateCheck& r) { return r.backend == StateBackendKind::kJson; }

const char* format_name(const StateCheck& r) {
  switch (r.backend) {
    case StateBackendKind::kJson:
      return "json";
    case StateBackendKind::kPostgres:
      return "postgresql";
    case StateBackendKind::kSqlite:
      break;
  }
  return "sqlite";
}

const char* format_title(const StateCheck& r) {
  switch (r.backend) {
    case StateBackendKind::kJson:
      return "JSON";
    case StateBackendKind::kPostgres:
      return "PostgreSQL";
    case StateBackendKind::kSqlite:
      break;
  }
  return "SQLite";
}

nlohmann::json report_json(const std::string& path, const StateCheck& r) {
  nlohmann::json running = nlohmann::json::array();
  for (const RunRecord& run : r.running) {
    running.push_back({{"workflow", run.workflow},
                       {"run_id", run.run_id},
                       {"started_at", format_timestamp(run.started_at)}});
  }
  return {{"state", url_without_password(path)},
          {"format", format_name(r)},
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

void print_report(const std::string& path, const StateCheck& r) {
  std::cout << "State " << url_without_password(path) << " (" << format_title(r) << ", "
            << r.size_bytes << " bytes)\n";
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
  std::cout << "  " << (is_json(r) ? "format" : "schema") << " version:  " << r.schema_version
            << " (this flowweaver supports " << r.supported_version << ")\n";
  if (!is_json(r)) {
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
    StateCheck r = check_state(state_path);
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
