// The state `flowweaver migrate-state` copies from: one state (a file, a database) or every
// workflow's file of a state directory, read whole while its writer locks are held, so that no
// run writes to it during the copy. Nothing in it is changed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "state/stored_runs.h"
#include "state/writer_lock.h"

namespace flowweaver {

struct MigrationSource {
  // FROM holds many workflows' states side by side: a state directory or a database.
  bool holds_many_states = false;
  std::vector<WorkflowRuns> workflows;             // those asked for
  std::vector<std::string> all_workflows;          // every workflow FROM has runs of
  std::vector<std::unique_ptr<WriterLock>> locks;  // held until the copy is done
};

// Reads the runs of `from` (a state file, a state directory, a database URL) of the workflows
// `only` names (all when empty), under their writer locks. Throws Error::NotFound when `from` does
// not exist or `only` names a workflow it has no runs of, Error::InvalidArgument for a location of
// no known form, StateInUse (naming the PID) when a writer holds one of its locks, Error::State
// when it cannot be read.
MigrationSource read_migration_source(const std::string& from,
                                      const std::vector<std::string>& only);

}  // namespace flowweaver
