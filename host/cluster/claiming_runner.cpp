#include "cluster/claiming_runner.h"

#include "manifest/subworkflow_validation.h"
#include "workflow.h"

namespace flowweaver {
namespace {

using Kind = AttemptOutcome::Kind;

// How often a waiting attempt looks at its cancellation, and at its row without a NOTIFY.
constexpr Millis kCancelLook{100};
constexpr int kSlicesPerRowLook = 10;

}  // namespace

ClaimingRunner::ClaimingRunner(TaskRunner& local, const Workflow& workflow, std::string run_id,
                               ClusterNode& node)
    : local_(local), workflow_(workflow), run_id_(std::move(run_id)), node_(node) {}

bool ClaimingRunner::runs_here(uint32_t task) const {
  const TaskSpec& spec = workflow_.manifest.tasks[task];
  return spec.role != TaskRole::kTask || runs_subworkflow(spec);
}

nlohmann::json ClaimingRunner::inputs_for(uint32_t task, const OutputTable& outputs) const {
  nlohmann::json inputs = nlohmann::json::object();
  std::vector<bool> seen(workflow_.dag.size(), false);
  std::vector<uint32_t> todo(workflow_.dag.upstream(task));
  while (!todo.empty()) {
    uint32_t up = todo.back();
    todo.pop_back();
    if (seen[up]) continue;
    seen[up] = true;
    if (up < outputs.size() && !outputs[up].empty())
      inputs[workflow_.manifest.tasks[up].name] = outputs[up];
    for (uint32_t next : workflow_.dag.upstream(up)) todo.push_back(next);
  }
  return inputs;
}

AttemptOutcome ClaimingRunner::run(uint32_t task, int attempt, const TaskItem* item,
                                   Cancellation& cancellation, const OutputTable& outputs) {
  if (runs_here(task)) return local_.run(task, attempt, item, cancellation, outputs);
  ClaimRequest request;
  request.run_id = run_id_;
  request.workflow = workflow_.manifest.name;
  request.manifest_hash = workflow_.manifest_hash;
  request.task_name = item ? item->name : workflow_.manifest.tasks[task].name;
  request.task_index = task;
  if (item) request.item = *item;
  request.attempt = attempt;
  request.inputs = inputs_for(task, outputs);
  try {
    PooledConnection db = node_.connection();
    ClaimQueue queue(*db);
    OfferedClaim offered = queue.offer(request);
    if (offered.found) {
      node_.log().info(
          "cluster: task '{}' attempt {} of run {} was handed over before; taking "
          "its outcome",
          request.task_name, attempt, run_id_);
    } else {
      ++node_.counters().num_offered;
    }
    return wait_for_outcome(queue, request, offered, cancellation);
  } catch (const std::exception& e) {  // a runner never throws: the attempt fails, retryably
    return {Kind::kRetryable, "", std::string("cluster: ") + e.what()};
  }
}

// The task's history has no row for an attempt whose holder lost its lease (docs/scale-out.md):
// the run's log says so instead.
void ClaimingRunner::note_interruptions(const DoneClaim& done, const ClaimRequest& request) {
  if (done.num_interruptions == 0) return;
  node_.log().warn(
      "cluster: task '{}' attempt {} of run {} was interrupted {} time(s) on other hosts (a "
      "lease expired, or a host stopped) before host '{}' ran it to its end",
      request.task_name, request.attempt, run_id_, done.num_interruptions, done.holder);
}

AttemptOutcome ClaimingRunner::wait_for_outcome(ClaimQueue& queue, const ClaimRequest& request,
                                                const OfferedClaim& offered,
                                                Cancellation& cancellation) {
  bool cancel_sent = false;
  // A found row may be done already; a new one cannot be.
  int slices_to_look = offered.found ? 0 : kSlicesPerRowLook;
  while (true) {
    bool notified = slices_to_look > 0 && node_.notifications().wait_done(offered.id, kCancelLook);
    if (notified || slices_to_look-- <= 0) {
      if (std::optional<DoneClaim> done = queue.take_done(offered.id)) {
        note_interruptions(*done, request);
        return std::move(done->outcome);
      }
      slices_to_look = kSlicesPerRowLook;
    }
    if (cancellation.cancelled() && !cancel_sent) {
      if (queue.withdraw(offered.id))
        return {Kind::kRetryable, "", "cancelled before any host claimed it"};
      queue.request_cancel(offered.id);
      cancel_sent = true;
    }
  }
}

}  // namespace flowweaver
