#include "cluster/claim_worker.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "util/time_format.h"
#include "workflow.h"

namespace flowweaver {
namespace {

using Kind = AttemptOutcome::Kind;

// Runs whose chains a worker keeps: a run's attempts come in a row, older runs are done.
constexpr size_t kRunsKept = 4;
// How long a worker waits for a NOTIFY before it looks by itself.
constexpr Millis kLookAnyway{1000};
// The longest between two renewals, whatever the lease: a cancel reaches the call this soon,
// well within the run's grace period, after which the run's host would write the call off.
constexpr Millis kRenewAtLeastEvery{2000};

spdlog::level::level_enum spdlog_level(fw_log_level level) {
  switch (level) {
    case FW_LOG_DEBUG:
      return spdlog::level::debug;
    case FW_LOG_WARN:
      return spdlog::level::warn;
    case FW_LOG_ERROR:
      return spdlog::level::err;
    default:
      return spdlog::level::info;
  }
}

// The lines a claimed call logs, in this host's log, named by run and task.
TaskLogSink host_log_sink(std::shared_ptr<spdlog::logger> log, std::string run_id,
                          std::shared_ptr<const Workflow> w) {
  return [log, run_id, w](uint32_t task, const TaskItem* item, int attempt, fw_log_level level,
                          std::string_view message) {
    const std::string& name = item ? item->name : w->manifest.tasks[task].name;
    log->log(spdlog_level(level), "run {} task '{}' attempt {}: {}", run_id, name, attempt,
             w->secret_mask.mask(message));
  };
}

// The run's start time and parameters, as its tasks see them (${run.…}, ${params.…}).
std::shared_ptr<RunContext> read_run_context(PgConnection& db, const std::string& run_id,
                                             const std::string& workflow) {
  PgResult r = db.exec("reading a claimed task's run",
                       "SELECT started_at, params FROM runs WHERE run_id = $1", {run_id});
  if (r.rows() == 0) throw std::runtime_error("run " + run_id + " is not in the state");
  nlohmann::json params = nlohmann::json::object();
  if (!r.is_null(0, 1)) params = nlohmann::json::parse(r.text(0, 1), nullptr, false);
  if (!params.is_object()) params = nlohmann::json::object();
  return std::make_shared<RunContext>(run_id, parse_timestamp(r.text(0, 0)).value_or(TimePoint{}),
                                      workflow, std::move(params));
}

// The outputs the run's host gave with the claim, where the runner looks for them.
OutputTable output_table(const Workflow& w, const nlohmann::json& inputs) {
  OutputTable outputs(w.manifest.tasks.size());
  for (uint32_t t = 0; t < w.manifest.tasks.size(); ++t) {
    auto it = inputs.find(w.manifest.tasks[t].name);
    if (it != inputs.end() && it->is_string()) outputs[t] = it->get<std::string>();
  }
  return outputs;
}

}  // namespace

ClaimWorker::ClaimWorker(ClusterNode& node, ServedWorkflows served)
    : node_(node), served_(std::move(served)) {
  thread_ = std::thread([this] { loop(); });
}

ClaimWorker::~ClaimWorker() {
  request_stop();
  node_.notifications().wake_all();
  thread_.join();
}

void ClaimWorker::request_stop() { stopping_ = true; }

void ClaimWorker::loop() {
  std::unique_ptr<PgConnection> db;
  while (!stopping_) {
    uint64_t generation = node_.notifications().ready_generation();
    try {
      if (!db) db = connect_for_claims(node_.settings().url);
      ClaimQueue queue(*db);
      node_.take_back_expired_leases(queue);
      std::vector<std::shared_ptr<const Workflow>> served = versions();
      std::vector<WorkflowVersion> claimable;
      for (const auto& w : served) claimable.push_back({w->manifest.name, w->manifest_hash});
      std::optional<Claim> claim = queue.claim(node_.settings().host_id, claimable,
                                               node_.settings().lease, node_.local_plugins());
      if (claim) {
        run_claim(*db, *claim, served);
        continue;
      }
    } catch (const std::exception& e) {
      node_.log().warn("cluster: claim worker: {}; trying again", e.what());
      db.reset();  // connect again: the connection may be what broke
    }
    node_.notifications().wait_ready(generation, kLookAnyway);
  }
}

std::vector<std::shared_ptr<const Workflow>> ClaimWorker::versions() const {
  std::vector<std::shared_ptr<const Workflow>> all = served_();
  for (auto& held : node_.held_versions()) {
    bool known = std::any_of(all.begin(), all.end(), [&](const auto& w) {
      return w->manifest.name == held->manifest.name && w->manifest_hash == held->manifest_hash;
    });
    if (!known) all.push_back(std::move(held));
  }
  return all;
}

ClaimWorker::ClaimedRun* ClaimWorker::run_of(
    PgConnection& db, const Claim& claim,
    const std::vector<std::shared_ptr<const Workflow>>& versions) {
  auto found = std::find_if(versions.begin(), versions.end(), [&](const auto& v) {
    return v->manifest.name == claim.request.workflow &&
           v->manifest_hash == claim.request.manifest_hash;
  });
  if (found == versions.end()) return nullptr;
  std::shared_ptr<const Workflow> w = *found;
  auto it = runs_.find(claim.request.run_id);
  if (it != runs_.end() && it->second.workflow == w) return &it->second;
  if (it != runs_.end()) runs_.erase(it);  // the workflow was reloaded
  if (runs_.size() >= kRunsKept) runs_.erase(runs_.begin());
  ClaimedRun run;
  run.workflow = w;
  run.context = read_run_context(db, claim.request.run_id, w->manifest.name);
  run.chain = std::make_unique<LocalRunnerChain>(
      *w, run.context, host_log_sink(node_.logger(), claim.request.run_id, w),
      node_.settings().lease, "");
  return &runs_.emplace(claim.request.run_id, std::move(run)).first->second;
}

void ClaimWorker::run_claim(PgConnection& db, const Claim& claim,
                            const std::vector<std::shared_ptr<const Workflow>>& versions) {
  ClusterNode& n = node_;
  ++n.counters().num_claimed;
  const ClaimRequest& r = claim.request;
  ClaimQueue queue(db);
  ClaimedRun* run = run_of(db, claim, versions);
  AttemptOutcome outcome;
  bool lease_lost = false;
  if (!run) {
    outcome = {
        Kind::kRetryable, "",
        "host '" + n.settings().host_id + "' no longer serves workflow '" + r.workflow + "'"};
  } else {
    ++n.counters().num_running;
    outcome = call_under_lease(queue, claim, *run, &lease_lost);
    --n.counters().num_running;
  }
  if (stopping_ && outcome.kind != Kind::kOk && !lease_lost) {
    if (queue.release(claim.id, claim.token)) ++n.counters().num_released;
    return;
  }
  if (queue.finish(claim.id, claim.token, outcome)) {
    ++n.counters().num_finished;
    return;
  }
  ++n.counters().num_refused;
  n.log().warn(
      "cluster: the result of task '{}' attempt {} of run {} was refused: this host's lease "
      "(token {}) expired and the attempt was given to another host",
      r.task_name, r.attempt, r.run_id, claim.token);
}

AttemptOutcome ClaimWorker::call_under_lease(ClaimQueue& queue, const Claim& claim, ClaimedRun& run,
                                             bool* lease_lost) {
  const ClaimRequest& r = claim.request;
  OutputTable outputs = output_table(*run.workflow, r.inputs);
  std::optional<TaskItem> item = r.item;
  Cancellation cancellation;
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  AttemptOutcome outcome;
  TaskRunner& runner = run.chain->masked_calls();
  std::thread call([&] {
    AttemptOutcome o =
        runner.run(r.task_index, r.attempt, item ? &*item : nullptr, cancellation, outputs);
    std::lock_guard<std::mutex> lock(mutex);
    outcome = std::move(o);
    done = true;
    cv.notify_all();
  });
  Millis renew_every = std::clamp(node_.settings().lease / 3, Millis(10), kRenewAtLeastEvery);
  std::unique_lock<std::mutex> lock(mutex);
  while (!cv.wait_for(lock, renew_every, [&] { return done; })) {
    lock.unlock();
    try {
      std::optional<bool> cancel = queue.renew(claim.id, claim.token, node_.settings().lease);
      if (!cancel) *lease_lost = true;
      if (!cancel || *cancel || stopping_) cancellation.cancel();
    } catch (const std::exception& e) {  // the lease may lapse; the call goes on meanwhile
      node_.log().warn("cluster: renewing the lease of task '{}': {}", r.task_name, e.what());
    }
    lock.lock();
  }
  lock.unlock();
  call.join();
  return outcome;
}

}  // namespace flowweaver
