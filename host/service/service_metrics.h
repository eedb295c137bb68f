// The service's Prometheus metrics (names documented in README "Operating"), fed by one
// RunObserver per run.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "exec/pool_slots.h"
#include "exec/run_observer.h"
#include "service/metrics.h"
#include "state/state_store.h"

namespace flowweaver {

class ServiceMetrics {
 public:
  ServiceMetrics(std::function<double()> runs_active, std::function<double()> plugins_loaded);

  // Counts every task of one run of `workflow` (`tasks` in the manifest).
  std::unique_ptr<RunObserver> observe_run(const std::string& workflow, size_t tasks);
  void run_finished(const std::string& workflow, RunStatus status);

  // flowweaver_workflow_last_success_timestamp_seconds and
  // flowweaver_workflow_next_run_timestamp_seconds, one series per workflow `last_success` and
  // `next_run` give (every served one, 0 meaning never), read at each render.
  void add_workflow_gauges(std::function<MetricsRegistry::GaugeSamples()> last_success,
                           std::function<MetricsRegistry::GaugeSamples()> next_run);

  // flowweaver_pool_slots{pool,state="used|free"} and flowweaver_pool_waiting{pool}, read from
  // `pools` at each render.
  void add_pool_gauges(std::shared_ptr<const PoolSlots> pools);

  // With a database state: flowweaver_cluster_hosts_alive, flowweaver_host_info{host_id} and
  // flowweaver_cluster_claims_total, read at each render.
  void add_cluster_metrics(const std::string& host_id, std::function<double()> hosts_alive,
                           std::function<double()> claims);

  std::string render() const { return registry_.render(); }

 private:
  class RunMetrics;

  MetricsRegistry registry_;
  CounterFamily* tasks_total_;
  HistogramFamily* task_duration_;
  CounterFamily* task_retries_;
  HistogramFamily* schedule_delay_;
  CounterFamily* runs_total_;
};

}  // namespace flowweaver
