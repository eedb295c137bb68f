// One of a host's claim workers (cluster_node.h): a thread that claims the oldest ready attempt
// of a workflow this host serves, runs it through the host's own runner chain
// (local_runner_chain.h) while renewing its lease every third of it, and records the outcome
// under its fencing token. An outcome refused (the lease had expired and the attempt went to
// another host) is logged and counted, never written.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "cluster/claim_queue.h"
#include "cluster/cluster_node.h"
#include "exec/run_context.h"
#include "local_runner_chain.h"

namespace flowweaver {

class ClaimWorker {
 public:
  // Starts the thread; `node` must outlive the worker.
  ClaimWorker(ClusterNode& node, ServedWorkflows served);
  ~ClaimWorker();  // request_stop() and join
  ClaimWorker(const ClaimWorker&) = delete;
  ClaimWorker& operator=(const ClaimWorker&) = delete;

  // A running call is cancelled and its claim given back; the thread ends.
  void request_stop();

 private:
  // What the worker keeps of a run whose attempts it ran, to run the next one at once.
  struct ClaimedRun {
    std::shared_ptr<const Workflow> workflow;
    std::shared_ptr<RunContext> context;
    std::unique_ptr<LocalRunnerChain> chain;
  };

  void loop();
  void run_claim(PgConnection& db, const Claim& claim,
                 const std::vector<std::shared_ptr<const Workflow>>& versions);
  // The call, its lease renewed meanwhile; `lease_lost` when a renewal found the token stale.
  AttemptOutcome call_under_lease(ClaimQueue& queue, const Claim& claim, ClaimedRun& run,
                                  bool* lease_lost);
  // The workflows this host may run attempts of now: served and held versions.
  std::vector<std::shared_ptr<const Workflow>> versions() const;
  ClaimedRun* run_of(PgConnection& db, const Claim& claim,
                     const std::vector<std::shared_ptr<const Workflow>>& versions);

  ClusterNode& node_;
  ServedWorkflows served_;
  std::atomic<bool> stopping_{false};
  std::map<std::string, ClaimedRun> runs_;  // by run id; a few recent ones
  std::thread thread_;
};

}  // namespace flowweaver
