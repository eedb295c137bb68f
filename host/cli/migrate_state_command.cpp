// migrate-state: copies every run, task row and attempt of one state to another (SQLite, a state
// directory, PostgreSQL, JSON), each workflow in one transaction of the destination, with the
// writer locks of both held. The source is never changed.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/migration_source.h"
#include "cli/state_command_support.h"
#include "cli/state_directory.h"
#include "state/postgres_connection.h"
#include "state/state_location.h"
#include "util/error.h"
#include "util/printable.h"

namespace flowweaver {
namespace {

// Where a workflow's runs go: its own lock in a database; its own file in a directory, which TO
// is when it is one already, or when FROM holds many states and TO is not named as a file.
std::string destination_of(const std::string& to, const std::string& workflow,
                           const MigrationSource& source) {
  if (parse_state_location(to).backend == StateBackendKind::kPostgres) {
    return workflow_state(to, workflow);
  }
  if (is_state_directory(to) ||
      (source.holds_many_states && !has_state_file_extension(std::filesystem::path(to)))) {
    return state_file_in(to, workflow);
  }
  return to;
}

// Copying a state onto itself would only find its own writer lock taken (by this process).
void refuse_same_state(const std::string& from, const std::string& to) {
  StateLocation source = parse_state_location(from), destination = parse_state_location(to);
  bool same = false;
  if (source.backend == StateBackendKind::kPostgres ||
      destination.backend == StateBackendKind::kPostgres) {
    same = source.backend == destination.backend && source.path == destination.path;
  } else {
    std::error_code ec;
    same = std::filesystem::weakly_canonical(from, ec) == std::filesystem::weakly_canonical(to, ec);
  }
  if (!same) return;
  throw Error::InvalidArgument("FROM and TO are the same state (" + url_without_password(to) +
                               "): give TO another database, directory or file");
}

// The destination stores, each opened once for writing (holding its writer lock).
class Destinations {
 public:
  StateStore& open(const std::string& location) {
    std::unique_ptr<StateStore>& store = stores_[location];
    if (!store) store = open_state_store(location, Durability::kNormal);
    return *store;
  }

 private:
  std::map<std::string, std::unique_ptr<StateStore>> stores_;
};

// Refuses, before anything is written, when TO already has runs of a workflow being copied:
// mixing two histories of one workflow would make `run` resume the wrong one.
void refuse_existing_runs(const std::string& to, const MigrationSource& source,
                          Destinations& destinations) {
  std::string refused;
  for (const WorkflowRuns& w : source.workflows) {
    StateStore& store = destinations.open(destination_of(to, w.workflow, source));
    if (store.latest_run(w.workflow)) {
      refused += (refused.empty() ? "" : ", ") + w.workflow;
    }
  }
  if (refused.empty()) return;
  throw Error::State(url_without_password(to) + " already has runs of " + refused +
                     "; nothing was copied. Migrate to another (empty) database or directory, or "
                     "drop those runs from it first");
}

size_t num_tasks(const WorkflowRuns& w) {
  size_t n = 0;
  for (const StoredRun& r : w.runs) n += r.tasks.size();
  return n;
}

size_t num_attempts(const WorkflowRuns& w) {
  size_t n = 0;
  for (const StoredRun& r : w.runs) n += r.attempts.size();
  return n;
}

void print_copied(const WorkflowRuns& w, const std::string& destination) {
  std::cout << "Copied " << w.workflow << ": " << w.runs.size() << " run(s), " << num_tasks(w)
            << " task(s), " << num_attempts(w) << " attempt(s) to "
            << printable(url_without_password(destination)) << "\n";
  for (const StoredRun& r : w.runs) {
    if (r.run.status != RunStatus::kRunning) continue;
    std::cout << "  run " << r.run.run_id
              << " was RUNNING (its process stopped mid-run) and is copied as it is: the next "
                 "`flowweaver run` or `serve` with the new state resumes it\n";
  }
}

std::string names(const std::vector<WorkflowRuns>& workflows, size_t begin, size_t end) {
  std::string text;
  for (size_t i = begin; i < end; ++i) text += (text.empty() ? "" : ", ") + workflows[i].workflow;
  return text.empty() ? "none" : text;
}

// Each workflow in one transaction; the first that fails stops the copy, and the message says
// which workflows are in TO and which are not.
int copy_workflows(const std::string& to, const MigrationSource& source,
                   Destinations& destinations) {
  const std::vector<WorkflowRuns>& workflows = source.workflows;
  for (size_t i = 0; i < workflows.size(); ++i) {
    std::string destination = destination_of(to, workflows[i].workflow, source);
    try {
      destinations.open(destination).import_runs(workflows[i].runs);
    } catch (const Error& e) {
      std::cerr << "error: copying workflow " << workflows[i].workflow << " failed, and none of "
                << "its runs were written: " << printable(e.what()) << "\n"
                << "Copied: " << names(workflows, 0, i)
                << ". Not copied: " << names(workflows, i, workflows.size())
                << ". Fix the cause, drop the copied workflows' runs from the destination (or "
                   "give another one), and migrate again.\n";
      return kExitRuntime;
    }
    print_copied(workflows[i], destination);
  }
  return kExitOk;
}

int migrate_state_command(const std::string& from, const std::string& to,
                          const std::vector<std::string>& only) {
  return report_errors([&]() -> int {
    refuse_same_state(from, to);  // which checks both locations' forms before anything is read
    MigrationSource source = read_migration_source(from, only);
    if (source.workflows.empty()) {
      std::cout << "No runs in " << printable(url_without_password(from)) << "; nothing to copy\n";
      return kExitOk;
    }
    Destinations destinations;
    refuse_existing_runs(to, source, destinations);
    return copy_workflows(to, source, destinations);
  });
}

}  // namespace

void add_migrate_state_command(CommandRegistry& commands) {
  struct Arguments {
    std::string from, to;
    std::vector<std::string> workflows;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* cmd =
      commands.add("migrate-state",
                   "Copy every run of a state (file, state directory, postgresql://…) to another",
                   [args] { return migrate_state_command(args->from, args->to, args->workflows); });
  cmd->add_option("FROM", args->from, "The state to copy: a file, a state directory or a URL")
      ->required();
  cmd->add_option("TO", args->to,
                  "Where to copy it: a postgresql:// URL, a directory (one <workflow>.db each) or "
                  "a file")
      ->required();
  cmd->add_option("--workflow", args->workflows, "Copy only this workflow's runs (repeatable)");
}

}  // namespace flowweaver
