// `flowweaver serve`: keeps the workflows of a directory in service. It runs them on their
// schedules and on request, at most one run per workflow and max_concurrent_runs in all; picks
// up new plugins and manifests without a restart; resumes runs a killed service left unfinished.
// The HTTP API (http_api.h) and the command (cli/serve_command.cpp) are thin layers over it.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster_member.h"
#include "cluster/cluster_node.h"
#include "engine.h"
#include "repair/task_mark.h"
#include "service/directory_watcher.h"
#include "service/last_success_book.h"
#include "service/plugin_catalog.h"
#include "service/run_event_hub.h"
#include "service/schedule_book.h"
#include "service/service_config.h"
#include "service/service_metrics.h"
#include "service/state_readers.h"
#include "service/systemd_notifier.h"
#include "service/views/run_index.h"
#include "service/views/service_reader.h"
#include "service/workflow_catalog.h"
#include "state/writer_lock.h"

namespace flowweaver {

struct StartRunResult {
  // kBadParams: the parameters given are not the workflow's (names, types, enum), a required
  // one is missing, or they differ from those of the run that would be resumed.
  // kActiveElsewhere: another process holds the workflow's state (another host of a database
  // state, named in host_id when known, or a `flowweaver run`).
  enum class Code {
    kStarted,
    kUnknownWorkflow,
    kAlreadyActive,
    kActiveElsewhere,
    kAtCapacity,
    kStopping,
    kBadParams,
    kFailed
  };
  Code code = Code::kFailed;
  std::string run_id;   // kStarted, or the active run for kAlreadyActive (and kActiveElsewhere)
  std::string message;  // why not started
  std::string host_id = {};  // kActiveElsewhere: the host that runs the workflow, when known
};

struct CancelRunResult {
  // kCancelling: the run is active here and stops within the grace period, ending CANCELLED.
  // kCancelled: nobody ran it (its process died, it was stopped or failed); now CANCELLED.
  // kAlreadyClosed: COMPLETED or CANCELLED already, or its final status is being stored.
  // kHeldElsewhere: another process (a `flowweaver run` on the same state) holds its state.
  enum class Code { kCancelling, kCancelled, kUnknownRun, kAlreadyClosed, kHeldElsewhere, kFailed };
  Code code = Code::kFailed;
  std::string workflow;  // the run's, when known
  std::string message;   // what happened, or why nothing did
};

// A piece of a task attempt's log (Service::task_log).
struct TaskLogChunk {
  std::string workflow;
  int attempt = 0;           // the attempt read (the latest when none was asked for)
  std::string bytes;         // the file's bytes from the offset asked for
  uint64_t next_offset = 0;  // where the next piece starts
  // The attempt is over and `bytes` reach the end of its file: nothing more will come.
  bool finished = false;
};

// What POST /api/runs/ID/tasks/NAME/reset and .../mark did (service_task_actions.cpp).
struct TaskActionResult {
  // kDone: `body` says what was done. kUnknownRun, kUnknownTask: nothing of that name.
  // kNotLatest: only the workflow's latest run can be repaired. kActive: a run of the workflow
  // is active in this service. kHeldElsewhere: another process holds the state's writer lock.
  enum class Code {
    kDone,
    kUnknownRun,
    kUnknownTask,
    kNotLatest,
    kActive,
    kHeldElsewhere,
    kFailed
  };
  Code code = Code::kFailed;
  std::string message;  // why nothing was done
  nlohmann::json body;  // kDone
};

// This host among the hosts of a database state (GET /health).
struct ClusterHealth {
  std::string host_id;
  std::vector<AliveHost> hosts_alive;
  uint64_t claims = 0;  // tasks this host has run for the cluster
};

struct HealthCheck {
  std::string name;
  bool ok = true;
  std::string detail;
};

class Service : public ServiceReader {
 public:
  // `clock` times everything the service does: schedules, catch-up, its runs and their tasks,
  // and the loop's heartbeat. Tests inject one they move.
  Service(ServiceConfig config, std::shared_ptr<spdlog::logger> log, Clock& clock,
          SystemdNotifier& notifier);
  ~Service() override;  // stops, if stop() was not called

  // Loads plugins and workflows, resumes unfinished runs, starts watching and the loop. Throws
  // Error when the service cannot work (e.g. the state or log directory cannot be created).
  void start();
  // Start nothing new; let running tasks finish within the grace period, cancel the rest,
  // persist; returns once every run has ended. Safe to call from any thread, more than once.
  void stop();
  void request_stop();  // the same without waiting (signal thread)
  bool stop_requested() const;
  // Rescan plugins and manifests soon (SIGHUP, or a change seen in their directories).
  void request_reload();
  // Wakes the loop to look at the schedule clock now (tests that move it).
  void poke();
  // Blocks until stop has been requested.
  void wait_for_stop_request();

  // Starts (or resumes) a run of `workflow` with the parameter values `params` gives (a JSON
  // object; run_params.h); the others take their defaults.
  StartRunResult start_run(const std::string& workflow, const std::string& reason,
                           const nlohmann::json& params = nlohmann::json::object());
  // Cancels the run `run_id` of a served workflow: an active run is stopped (its tasks
  // cancelled, then written off after the grace period) and ends CANCELLED; one nobody runs is
  // recorded CANCELLED at once. Other runs go on. Never throws. (service_cancel.cpp)
  CancelRunResult cancel_run(const std::string& run_id);
  // Resets `task` and its dependents (their foreach/matrix items too) in run `run_id`, the latest
  // run of its workflow, reopening it when closed (repair/task_reset.h); the next start of the
  // workflow resumes it. No run of the workflow starts meanwhile. Never throws.
  TaskActionResult reset_task(const std::string& run_id, const std::string& task);
  // Records `task` of run `run_id` (the latest of its workflow, reopened when closed) as `mark`
  // says (repair/task_mark.h). Never throws.
  TaskActionResult mark_task(const std::string& run_id, const std::string& task, TaskMark mark);
  // Cancels the active runs for which `flowweaver cancel` left a request (SIGUSR1).
  void take_cancel_requests();

  // What the HTTP API's views read (service/views/): see service_reader.h.
  std::vector<ServedWorkflow> served_workflows() const override;
  std::optional<ServedWorkflow> served_workflow(const std::string& name) const override;
  std::map<std::string, std::string> active_run_ids() const override;
  std::shared_ptr<const PluginRegistry> plugin_registry() const override;
  bool read_state(const std::string& workflow,
                  const std::function<void(StateStore&)>& read) const override;
  std::optional<TimePoint> last_success(const std::string& workflow) const override;
  RunIndex& run_index() const override { return run_index_; }
  TimePoint now() const override { return clock_.now(); }

  // Up to max_bytes of the log of `task`'s `attempt` (the latest when not given) in run `run_id`,
  // from byte `offset` on. GET /api/runs/ID/tasks/NAME/log serves the whole file (pieces until
  // one comes back short); with ?follow=1 it streams pieces as they come, asking again at a
  // short interval, until one is `finished`. Throws Error::NotFound, with the message to show,
  // for an unknown run (of the served workflows), task or attempt, and for an attempt of a run
  // without task logs (it ran before per-task logs, or with another log_dir). An attempt that
  // has logged nothing (yet) gives an empty piece.
  TaskLogChunk task_log(const std::string& run_id, const std::string& task,
                        std::optional<int> attempt, uint64_t offset, size_t max_bytes) const;
  // GET /api/runs/ID/events (run_event_hub.h): kFollowing when the run is active here and
  // `events` now gets its changes until it ends; kEnded when it is not active (the "run" event
  // with its stored status and "end" are sent and the stream closed); kUnknownRun when no served
  // workflow has it (nothing sent).
  enum class Subscription { kFollowing, kEnded, kUnknownRun };
  Subscription subscribe_run_events(const std::string& run_id,
                                    const std::shared_ptr<EventStream>& events) const;
  // liveness of the loop, state store readable and writable; `deep` also reads every store.
  std::vector<HealthCheck> health_checks(bool deep) const;
  size_t active_runs() const;
  size_t plugins_loaded() const;
  // A run wrote off a call that ignored cancellation: the process must exit without unloading.
  bool has_abandoned_calls() const;
  std::string metrics_text() const { return metrics_.render(); }
  // With a database state: this host, the hosts alive and its claims; nothing otherwise.
  std::optional<ClusterHealth> cluster_health() const;
  // The SHA-256 of every plugin this host has loaded now, by name: what a run's pins
  // (cluster/run_plugins.h, plugin_mismatches()) are compared with before claiming its tasks.
  PluginShas local_plugins() const;
  const ServiceConfig& config() const { return config_; }
  const std::string& host_id() const { return config_.host_id; }
  // What this host's claims did (a database state only; null otherwise): for /health, /metrics.
  const ClaimCounters* claim_counters() const { return claims_ ? &claims_->counters() : nullptr; }

 private:
  struct ActiveRun {
    std::string workflow;
    std::string run_id;  // once opened
    std::string reason;
    nlohmann::json params;  // given for the run, checked (run_params.h)
    TimePoint started;
    StopSwitch stop_switch;
    std::thread thread;
    // Guarded by mutex_. `ending`: its final status is being stored, so for clients the run is
    // over, but its thread still holds the state open (and its writer lock) until `finished`.
    bool ending = false;
    bool finished = false;
  };

  // Names this host in cluster_active_runs while it runs a workflow (service_cluster.cpp);
  // does nothing without a cluster.
  class ClusterRunRow {
   public:
    ClusterRunRow(ClusterMember* cluster, std::string workflow);
    ~ClusterRunRow();
    ClusterRunRow(const ClusterRunRow&) = delete;
    ClusterRunRow& operator=(const ClusterRunRow&) = delete;
    void opened(const std::string& run_id, const Workflow& workflow);

   private:
    ClusterMember* cluster_;
    std::string workflow_;
  };

  void loop();
  void reload();
  // service_cluster.cpp: with a database state (state_url), this host joins the others on it.
  void join_cluster();
  bool claim_fire(const ScheduleBook::DueFire& fire);
  StartRunResult active_elsewhere(const std::string& workflow, const StateInUse& e);
  void add_cluster_checks(std::vector<HealthCheck>* checks, bool deep) const;
  void sync_schedules(TimePoint now);
  void start_due_runs(TimePoint now);
  // With a database state, every few seconds: resumes here the runs of served workflows that no
  // host alive runs (their host died or stopped), so that a host's loss stops no run.
  void adopt_orphaned_runs();
  // The reason of such a run: it only resumes, never starts a new run.
  static constexpr const char* kTakeoverReason = "a takeover (its host is gone)";
  void resume_unfinished_runs();
  void start_catch_up_runs(TimePoint now);
  void reap_finished_runs();
  // The locked part of start_run: nothing when the run was launched, else why not. A run of
  // `workflow` that was ending is taken out of active_ and handed back in `ended` to be joined.
  std::optional<StartRunResult> launch_run(const ServedWorkflow& served, const std::string& reason,
                                           const nlohmann::json& params,
                                           std::shared_ptr<std::promise<std::string>> opened,
                                           std::shared_ptr<ActiveRun>* ended);
  void discard_unopened_run(const std::string& workflow);
  std::shared_ptr<ActiveRun> take_ending_run(std::unique_lock<std::mutex>& lock,
                                             const std::string& workflow);
  // With a database state: the cluster node and its claim workers (docs/scale-out.md).
  void start_claim_workers();
  // Attempts this host claimed from the cluster's queue since it started (0 without a database).
  uint64_t claims_made() const { return claims_ ? claims_->counters().num_claimed.load() : 0; }
  void run_body(ActiveRun* active, ServedWorkflow served,
                std::shared_ptr<std::promise<std::string>> opened);
  // Where the workflow's runs are kept: its file in state_dir, or its part of the database.
  std::string state_path(const std::string& workflow) const;
  // The workflow's latest run in its state; nothing when it has no state yet (none is made).
  std::optional<RunRecord> latest_stored_run(const std::string& workflow) const;
  // The served workflow whose state holds `run_id`, and the run; nothing if none does.
  std::optional<std::pair<std::string, RunRecord>> find_served_run(const std::string& run_id) const;
  // The locked part of reset_task and mark_task: checks their rules, then calls `repair` with
  // the workflow's state (held for writing), its latest run and the task's index.
  using Repair =
      std::function<nlohmann::json(StateStore&, const ServedWorkflow&, RunRecord, uint32_t)>;
  TaskActionResult repair_latest_run(const std::string& run_id, const std::string& task,
                                     const Repair& repair);
  CancelRunResult cancel_stored_run(const std::string& workflow, const std::string& run_id);
  // For the per-workflow gauges (service_metrics.h).
  std::optional<TimePoint> last_success_in_state(const std::string& workflow) const;
  double last_success_seconds(const ServedWorkflow& served);
  double next_run_seconds(const ServedWorkflow& served);
  MetricsRegistry::GaugeSamples workflow_samples(double (Service::*value)(const ServedWorkflow&));
  std::string status_line() const;

  ServiceConfig config_;
  std::shared_ptr<spdlog::logger> log_;
  Clock& clock_;
  SystemdNotifier& notifier_;
  ServiceMetrics metrics_;
  // The pools' slots, one table for every run (exec/pool_slots.h); null: no pools declared.
  std::shared_ptr<PoolSlots> pools_;
  mutable LastSuccessBook last_success_;
  std::unique_ptr<PluginCatalog> plugins_;
  std::unique_ptr<WorkflowCatalog> workflows_;
  // With a database state: this host's claim workers, and the runs' way to hand tasks over.
  std::unique_ptr<ClusterNode> claims_;
  std::unique_ptr<DirectoryWatcher> watcher_;
  ScheduleBook schedules_;                                 // loop thread only
  std::chrono::steady_clock::time_point next_adoption_{};  // loop thread only

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool stopped_ = false;
  // A debounce is an interval of real time, not a moment: a wall-clock step must not delay it.
  std::optional<std::chrono::steady_clock::time_point> reload_due_;
  std::map<std::string, std::shared_ptr<ActiveRun>> active_;   // by workflow
  std::vector<std::shared_ptr<const Workflow>> never_unload_;  // runs left calls running
  mutable RunEventHub run_events_;
  mutable StateReaders readers_;            // what the API and the metrics read
  mutable RunIndex run_index_;              // of the served workflows' runs
  std::atomic<int64_t> heartbeat_ns_{0};    // clock_, loop turns
  std::unique_ptr<ClusterMember> cluster_;  // with a database state; set before the loop starts
  std::thread loop_thread_;
};

}  // namespace flowweaver
