// The runners an attempt passes through on the host that makes the call: in this process or,
// for `isolation: process` tasks, in a child. execute_run puts sub-workflows and the run's
// scheduler in front of it; a claim worker (cluster/claim_worker.h) runs the attempts it claimed
// for another host's run through one of its own, so that both make a call the same way.
#pragma once

#include <memory>
#include <string>

#include "exec/in_process_runner.h"
#include "exec/masking_runner.h"
#include "exec/run_context.h"
#include "isolation/process_runner.h"

namespace flowweaver {

struct Workflow;

class LocalRunnerChain {
 public:
  // `workflow` must outlive the chain. `crash_marker`: where a call that crashes the host is
  // named (exec/crash_marker.h); empty: nowhere. `grace_period`: the run's, of which a child
  // process gets half before SIGKILL.
  LocalRunnerChain(const Workflow& workflow, std::shared_ptr<RunContext> run, TaskLogSink log,
                   Millis grace_period, const std::string& crash_marker);
  LocalRunnerChain(const LocalRunnerChain&) = delete;
  LocalRunnerChain& operator=(const LocalRunnerChain&) = delete;

  InProcessRunner& in_process() { return in_process_; }
  // Every task's call, in this process or a child; outputs not masked yet.
  TaskRunner& calls() { return process_; }
  // The same with the workflow's secrets masked in what comes back.
  TaskRunner& masked_calls() { return masked_; }

 private:
  InProcessRunner in_process_;
  ProcessRunner process_;
  MaskingRunner masked_;
};

}  // namespace flowweaver
