#include "cli/migration_source.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "cli/state_directory.h"
#include "state/postgres_connection.h"
#include "state/state_location.h"
#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

// The states of `from`: the state itself, or each `<workflow>.db` of a state directory.
std::vector<std::string> source_states(const std::string& from, bool is_directory) {
  if (!is_directory) return {from};
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(from, ec)) {
    if (is_directory_state_file(entry.path()) && entry.is_regular_file(ec)) {
      files.push_back(entry.path().string());
    }
  }
  if (ec) throw Error::IO("cannot list the state directory " + from + ": " + ec.message());
  if (files.empty()) throw Error::NotFound("no state files (*.db) in " + from);
  std::sort(files.begin(), files.end());
  return files;
}

bool is_wanted(const std::string& workflow, const std::vector<std::string>& only) {
  return only.empty() || std::find(only.begin(), only.end(), workflow) != only.end();
}

// A writer lock is per workflow in a database, per file otherwise (workflow_state()); each is
// taken once. The writer that holds one is named by the StateInUse thrown.
void lock_workflows(const std::string& state, const std::vector<std::string>& workflows,
                    std::set<std::string>& locked, MigrationSource& source) {
  for (const std::string& workflow : workflows) {
    std::string location = workflow_state(state, workflow);
    if (!locked.insert(location).second) continue;
    try {
      source.locks.push_back(acquire_writer_lock(parse_state_location(location)));
    } catch (const StateInUse& e) {
      throw StateInUse("cannot migrate workflow " + workflow + " now: " + e.what(), e.holder_pid());
    }
  }
}

// A workflow whose runs two files of a directory hold is copied as one.
void add_runs(MigrationSource& source, WorkflowRuns runs) {
  for (WorkflowRuns& known : source.workflows) {
    if (known.workflow != runs.workflow) continue;
    known.runs.insert(known.runs.end(), std::make_move_iterator(runs.runs.begin()),
                      std::make_move_iterator(runs.runs.end()));
    return;
  }
  source.workflows.push_back(std::move(runs));
}

void refuse_unknown_workflows(const std::string& from, const std::vector<std::string>& only,
                              const MigrationSource& source) {
  for (const std::string& name : only) {
    const std::vector<std::string>& all = source.all_workflows;
    if (std::find(all.begin(), all.end(), name) != all.end()) continue;
    std::string known;
    for (const std::string& w : all) known += (known.empty() ? "" : ", ") + w;
    throw Error::NotFound(
        "no runs of workflow " + name + " in " + url_without_password(from) +
        (known.empty() ? std::string(" (it has no runs)") : " (its workflows: " + known + ")"));
  }
}

}  // namespace

MigrationSource read_migration_source(const std::string& from,
                                      const std::vector<std::string>& only) {
  // A location of no known form is refused before anything else.
  bool is_database = parse_state_location(from).backend == StateBackendKind::kPostgres;
  bool is_directory = is_state_directory(from);
  MigrationSource source;
  source.holds_many_states = is_database || is_directory;
  std::set<std::string> locked;
  for (const std::string& state : source_states(from, is_directory)) {
    // Reading first tells which workflows' locks to take; the runs are read once they are held.
    std::unique_ptr<StateStore> store = open_existing_state_store(state, Access::kReadOnly);
    std::vector<std::string> workflows = workflows_with_runs(*store);
    source.all_workflows.insert(source.all_workflows.end(), workflows.begin(), workflows.end());
    workflows.erase(std::remove_if(workflows.begin(), workflows.end(),
                                   [&](const std::string& w) { return !is_wanted(w, only); }),
                    workflows.end());
    if (workflows.empty()) continue;
    lock_workflows(state, workflows, locked, source);
    for (WorkflowRuns& runs : read_runs_by_workflow(*store)) {
      if (is_wanted(runs.workflow, only)) add_runs(source, std::move(runs));
    }
  }
  refuse_unknown_workflows(from, only, source);
  return source;
}

}  // namespace flowweaver
