// Runs attempts in this process through the plugin C ABI: resolves the task's `with:`
// templates, fills in declared defaults, checks declared types, calls the plugin, and turns
// whatever comes back into an AttemptOutcome. A plugin that crashes takes the host down with
// it (the state stays consistent and resumable); isolation in a child process is a later mode.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "exec/run_context.h"
#include "exec/task_runner.h"
#include "manifest/manifest.h"
#include "manifest/template.h"
#include "manifest/validator.h"
#include "plugin/loaded_plugin.h"

namespace flowweaver {

// A line a call logged; `item` is the call's item of `task` (null for a plain task). Called from
// worker threads.
using TaskLogSink = std::function<void(uint32_t task, const TaskItem* item, int attempt,
                                       fw_log_level level, std::string_view message)>;

class InProcessRunner : public TaskRunner {
 public:
  // `types[i]` is the task type of manifest.tasks[i]; `params` the manifest's params with
  // their own references already resolved; `secrets` what ${secrets.NAME} gives.
  InProcessRunner(const Manifest& manifest, std::vector<TaskTypeRef> types, nlohmann::json params,
                  EnvLookup env, TaskLogSink log, std::map<std::string, std::string> secrets = {});

  AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item, Cancellation& cancellation,
                     const OutputTable& outputs) override;

  // From now on, a call that crashes the process leaves a line naming its attempt of `run_id`
  // in the marker file at `path` (exec/crash_marker.h).
  void mark_crashes_in(std::string path, std::string run_id);

  // What ${run.…} and ${workflow.name} read from now on (none: they fail the attempt).
  void set_run_context(std::shared_ptr<const RunContext> run) { run_ = std::move(run); }

  // The `with:` object the task (its `item`, if not null) would receive: templates resolved,
  // defaults filled in, types checked. Throws std::runtime_error saying what is wrong. It holds
  // secrets' values: it goes to the plugin, and any text made from it is masked before it is
  // stored or logged.
  nlohmann::json resolve_params(uint32_t task, const TaskItem* item,
                                const OutputTable& outputs) const;

  // The list a foreach task runs over (its `foreach:` resolved: a literal list as is, or what
  // its reference holds), read once its upstream tasks have completed. Throws
  // std::runtime_error naming the reference when it cannot be resolved.
  nlohmann::json resolve_foreach(uint32_t task, const OutputTable& outputs) const;

 private:
  const Manifest& manifest_;
  std::vector<TaskTypeRef> types_;
  nlohmann::json params_;
  std::string manifest_dir_;
  EnvLookup env_;
  TaskLogSink log_;
  std::map<std::string, std::string> secrets_;
  std::unordered_map<std::string, uint32_t> index_;
  std::string crash_marker_, run_id_;
  std::shared_ptr<const RunContext> run_;

  // Where the references of `task`'s templates take their values from; `parsed` caches the
  // upstream outputs it parses, and must outlive the scope.
  TemplateScope scope_for(const OutputTable& outputs,
                          std::unordered_map<std::string, nlohmann::json>* parsed) const;
};

}  // namespace flowweaver
