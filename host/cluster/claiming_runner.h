// The run's scheduler's runner when the state is a cluster's database (cluster_node.h): each
// attempt is offered in task_claims (claim_queue.h) and its outcome waited for, whichever host
// claims it. Sub-workflows (`uses: workflow.run`) and handlers (on_failure, on_exit, which read
// the run's outcome that only this host knows) run here through `local`, as without a cluster.
//
// An attempt whose row is found unconsumed (the run's host died after offering it; this one
// resumed the run) takes that row's outcome instead of running the call again. Cancelling the
// attempt withdraws a row nobody claimed yet, or asks its holder to cancel its call (seen at its
// next lease renewal) and waits for the outcome as usual.
#pragma once

#include <string>

#include "cluster/claim_queue.h"
#include "cluster/cluster_node.h"
#include "exec/task_runner.h"

namespace flowweaver {

struct Workflow;

class ClaimingRunner : public TaskRunner {
 public:
  // All must outlive the runner.
  ClaimingRunner(TaskRunner& local, const Workflow& workflow, std::string run_id,
                 ClusterNode& node);

  AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item, Cancellation& cancellation,
                     const OutputTable& outputs) override;

 private:
  bool runs_here(uint32_t task) const;
  // The outputs `task` may read: those of its upstream tasks, direct or not, by name.
  nlohmann::json inputs_for(uint32_t task, const OutputTable& outputs) const;
  AttemptOutcome wait_for_outcome(ClaimQueue& queue, const ClaimRequest& request,
                                  const OfferedClaim& offered, Cancellation& cancellation);
  void note_interruptions(const DoneClaim& done, const ClaimRequest& request);

  TaskRunner& local_;
  const Workflow& workflow_;
  std::string run_id_;
  ClusterNode& node_;
};

}  // namespace flowweaver
