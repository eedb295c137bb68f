// Service::cancel_run and the cancel requests `flowweaver cancel` leaves beside a state.
#include <filesystem>

#include "service/service.h"
#include "service/views/run_lookup.h"
#include "state/cancelled_run.h"
#include "state/writer_lock.h"
#include "util/error.h"

namespace flowweaver {

namespace fs = std::filesystem;

std::optional<std::pair<std::string, RunRecord>> Service::find_served_run(
    const std::string& run_id) const {
  std::optional<RunRecord> run;
  std::optional<std::string> workflow = read_run_state(*this, run_id, [&](StateStore& store) {
    run = store.find_run(run_id);
    return run.has_value();
  });
  if (!workflow) return std::nullopt;
  return std::make_pair(*workflow, *run);
}

CancelRunResult Service::cancel_run(const std::string& run_id) {
  using Code = CancelRunResult::Code;
  try {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& [name, run] : active_) {
        if (run->run_id != run_id) continue;
        if (run->ending) {
          return {Code::kAlreadyClosed, name,
                  "run " + run_id + " of '" + name + "' has just ended"};
        }
        run->stop_switch.cancel();
        log_->info("run {} of '{}': cancel requested", run_id, name);
        return {Code::kCancelling, name,
                "run " + run_id + " of '" + name +
                    "' is being cancelled: its running tasks are "
                    "cancelled, and it ends CANCELLED"};
      }
    }
    std::optional<std::pair<std::string, RunRecord>> found = find_served_run(run_id);
    if (!found) return {Code::kUnknownRun, "", "no run with id '" + run_id + "'"};
    if (is_closed(found->second.status)) {
      return {Code::kAlreadyClosed, found->first, closed_run_message(found->second)};
    }
    return cancel_stored_run(found->first, run_id);
  } catch (const std::exception& e) {
    return {Code::kFailed, "", e.what()};
  }
}

// A run of `workflow` nobody runs in this process. Under mutex_, so that the service does not
// start a run of the workflow meanwhile; the store's lock keeps any other process out.
CancelRunResult Service::cancel_stored_run(const std::string& workflow, const std::string& run_id) {
  using Code = CancelRunResult::Code;
  std::lock_guard<std::mutex> lock(mutex_);
  if (active_.count(workflow)) {
    return {Code::kHeldElsewhere, workflow,
            "a run of '" + workflow + "' started meanwhile; run " + run_id + " is not it"};
  }
  std::unique_ptr<StateStore> store;
  try {
    store = open_state_store(state_path(workflow), Durability::kNormal);
  } catch (const StateInUse& e) {
    return {Code::kHeldElsewhere, workflow,
            std::string(e.what()) + "; `flowweaver cancel` asks that process to cancel it"};
  }
  std::optional<RunRecord> run = store->find_run(run_id);
  if (!run) return {Code::kUnknownRun, workflow, "no run with id '" + run_id + "'"};
  if (is_closed(run->status)) return {Code::kAlreadyClosed, workflow, closed_run_message(*run)};
  RunStatus was = run->status;
  record_cancelled(*store, *run, clock_.now());
  log_->info("run {} of '{}' was {} with no process running it: now CANCELLED", run_id, workflow,
             to_string(was));
  return {Code::kCancelled, workflow,
          "run " + run_id + " of '" + workflow + "' was " + to_string(was) +
              " with no process running it; it is now CANCELLED"};
}

void Service::take_cancel_requests() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [name, run] : active_) {
    if (run->stop_switch.take_cancel_request()) {
      log_->info("run {} of '{}': cancel requested by `flowweaver cancel`", run->run_id, name);
    }
  }
}

}  // namespace flowweaver
