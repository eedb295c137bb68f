#include "local_runner_chain.h"

#include "exec/crash_marker.h"
#include "workflow.h"

namespace flowweaver {

LocalRunnerChain::LocalRunnerChain(const Workflow& w, std::shared_ptr<RunContext> run,
                                   TaskLogSink log, Millis grace_period,
                                   const std::string& crash_marker)
    : in_process_(w.manifest, w.task_types, run->params(), process_env, log, w.secrets),
      // SIGKILL for a child comes before the scheduler's own grace period would write the call
      // off.
      process_(w.manifest, w.task_types, in_process_, task_helper_path(),
               std::max(Millis(100), grace_period / 2), log),
      masked_(process_, w.secret_mask) {
  std::string run_id = run->run_id();
  in_process_.set_run_context(std::move(run));
  if (!crash_marker.empty()) {
    install_crash_handlers();
    in_process_.mark_crashes_in(crash_marker, run_id);
  }
}

}  // namespace flowweaver
