#include "service/service_metrics.h"

#include <chrono>
#include <optional>
#include <vector>

namespace flowweaver {

namespace {

double seconds_between(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

// Called on the run's scheduler thread only.
class ServiceMetrics::RunMetrics : public RunObserver {
 public:
  RunMetrics(ServiceMetrics& metrics, std::string workflow, size_t tasks)
      : metrics_(metrics), labels_{std::move(workflow)}, ready_at_(tasks) {}

  void on_item_added(const TaskItem& item) override {
    if (item.slot >= ready_at_.size()) ready_at_.resize(item.slot + 1);
  }
  void on_task_ready(uint32_t task) override { ready_at_[task] = std::chrono::steady_clock::now(); }
  void on_task_started(uint32_t task, int /*attempt*/) override {
    if (!ready_at_[task]) return;
    metrics_.schedule_delay_->observe(
        labels_, seconds_between(*ready_at_[task], std::chrono::steady_clock::now()));
    ready_at_[task].reset();
  }
  void on_task_finished(uint32_t /*task*/, int /*attempt*/, bool ok, const std::string&,
                        Millis duration) override {
    metrics_.task_duration_->observe(labels_, std::chrono::duration<double>(duration).count());
    if (ok) metrics_.tasks_total_->inc({labels_[0], "COMPLETED"});
  }
  void on_retry_scheduled(uint32_t, int, Millis) override { metrics_.task_retries_->inc(labels_); }
  void on_task_failed(uint32_t, const std::string&) override {
    metrics_.tasks_total_->inc({labels_[0], "FAILED"});
  }
  void on_task_skipped(uint32_t, const std::string&) override {
    metrics_.tasks_total_->inc({labels_[0], "SKIPPED"});
  }

 private:
  ServiceMetrics& metrics_;
  std::vector<std::string> labels_;  // {workflow}
  std::vector<std::optional<std::chrono::steady_clock::time_point>> ready_at_;
};

ServiceMetrics::ServiceMetrics(std::function<double()> runs_active,
                               std::function<double()> plugins_loaded) {
  const std::vector<double> duration_buckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5,
                                                1,     5,     10,   60,   300, 1800};
  const std::vector<double> delay_buckets = {0.0001, 0.0005, 0.001, 0.005, 0.01,
                                             0.05,   0.1,    0.5,   1,     5};
  tasks_total_ = &registry_.counter("flowweaver_tasks_total",
                                    "Tasks that reached a final status, by workflow and status",
                                    {"workflow", "status"});
  task_duration_ = &registry_.histogram("flowweaver_task_duration_seconds",
                                        "Duration of task attempts, by workflow", {"workflow"},
                                        duration_buckets);
  task_retries_ = &registry_.counter("flowweaver_task_retries_total",
                                     "Retries scheduled after a failed attempt", {"workflow"});
  schedule_delay_ = &registry_.histogram(
      "flowweaver_task_schedule_delay_seconds",
      "Time from a task becoming ready to its start, by workflow", {"workflow"}, delay_buckets);
  runs_total_ = &registry_.counter("flowweaver_runs_total", "Finished runs, by workflow and status",
                                   {"workflow", "status"});
  registry_.gauge("flowweaver_runs_active", "Runs in progress", std::move(runs_active));
  registry_.gauge("flowweaver_plugins_loaded", "Plugins in service", std::move(plugins_loaded));
  registry_.gauge("flowweaver_build_info", "The running build", {"version"}, [] {
    return std::vector<std::pair<std::vector<std::string>, double>>{{{FLOWWEAVER_VERSION}, 1.0}};
  });
}

std::unique_ptr<RunObserver> ServiceMetrics::observe_run(const std::string& workflow,
                                                         size_t tasks) {
  return std::make_unique<RunMetrics>(*this, workflow, tasks);
}

void ServiceMetrics::run_finished(const std::string& workflow, RunStatus status) {
  runs_total_->inc({workflow, to_string(status)});
}

void ServiceMetrics::add_workflow_gauges(
    std::function<MetricsRegistry::GaugeSamples()> last_success,
    std::function<MetricsRegistry::GaugeSamples()> next_run) {
  registry_.gauge("flowweaver_workflow_last_success_timestamp_seconds",
                  "End of the workflow's last COMPLETED run, Unix seconds (0: never)", {"workflow"},
                  std::move(last_success));
  registry_.gauge("flowweaver_workflow_next_run_timestamp_seconds",
                  "The workflow's next scheduled run, Unix seconds (0: no schedule)", {"workflow"},
                  std::move(next_run));
}

void ServiceMetrics::add_pool_gauges(std::shared_ptr<const PoolSlots> pools) {
  registry_.gauge("flowweaver_pool_slots", "A pool's slots, used by running tasks or free",
                  {"pool", "state"}, [pools] {
                    MetricsRegistry::GaugeSamples samples;
                    for (const PoolSlots::Counts& c : pools->counts()) {
                      samples.push_back({{c.pool, "used"}, static_cast<double>(c.used)});
                      samples.push_back({{c.pool, "free"}, static_cast<double>(c.slots - c.used)});
                    }
                    return samples;
                  });
  registry_.gauge("flowweaver_pool_waiting", "Tasks waiting for a slot of the pool", {"pool"},
                  [pools] {
                    MetricsRegistry::GaugeSamples samples;
                    for (const PoolSlots::Counts& c : pools->counts()) {
                      samples.push_back({{c.pool}, static_cast<double>(c.waiting)});
                    }
                    return samples;
                  });
}

void ServiceMetrics::add_cluster_metrics(const std::string& host_id,
                                         std::function<double()> hosts_alive,
                                         std::function<double()> claims) {
  registry_.gauge("flowweaver_cluster_hosts_alive",
                  "Hosts sharing this state database whose heartbeat is recent.",
                  std::move(hosts_alive));
  registry_.gauge("flowweaver_host_info", "This host's id among the hosts of the state database.",
                  {"host_id"}, [host_id] {
                    return MetricsRegistry::GaugeSamples{{{host_id}, 1}};
                  });
  registry_.counter_reading("flowweaver_cluster_claims_total",
                            "Tasks this host has claimed from the cluster's queue.",
                            std::move(claims));
}

}  // namespace flowweaver
