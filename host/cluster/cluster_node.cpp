#include "cluster/cluster_node.h"

#include <libpq-fe.h>

#include <algorithm>

#include "cluster/claim_queue.h"
#include "cluster/claim_worker.h"

namespace flowweaver {

std::unique_ptr<PgConnection> connect_for_claims(const std::string& url) {
  auto db = std::make_unique<PgConnection>(url);
  db->exec("setting up a claims connection", "SET synchronous_commit TO off");
  return db;
}

std::string cluster_database_url(const std::string& state_url) {
  return state_url.substr(0, state_url.find('#'));
}

PooledConnection::~PooledConnection() { node_.give_back(std::move(conn_)); }

ClusterNode::ClusterNode(ClusterSettings settings, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)), log_(std::move(log)) {
  settings_.url = cluster_database_url(settings_.url);
  give_back(connect_for_claims(settings_.url));  // fails early when unreachable
  notifications_ = std::make_unique<ClaimNotifications>(settings_.url, log_);
}

ClusterNode::~ClusterNode() { stop_workers(); }

void ClusterNode::start_workers(ServedWorkflows served, LocalPlugins plugins) {
  std::lock_guard<std::mutex> lock(mutex_);
  local_plugins_ = std::move(plugins);
  for (int i = 0; i < settings_.num_workers; ++i)
    workers_.push_back(std::make_unique<ClaimWorker>(*this, served));
  log_->info("cluster: host '{}' claims tasks with {} worker(s), lease {} ms", settings_.host_id,
             settings_.num_workers, settings_.lease.count());
}

std::optional<PluginShas> ClusterNode::local_plugins() const {
  if (!local_plugins_) return std::nullopt;
  return local_plugins_();
}

void ClusterNode::stop_workers() {
  std::vector<std::unique_ptr<ClaimWorker>> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w->request_stop();
  notifications_->wake_all();
  workers.clear();  // joins
}

std::shared_ptr<void> ClusterNode::hold_version(std::shared_ptr<const Workflow> workflow) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_.push_back(workflow);
  }
  // Owns nothing; its deleter lets the version go.
  return std::shared_ptr<void>(nullptr, [this, workflow](void*) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::find(held_.begin(), held_.end(), workflow);
    if (it != held_.end()) held_.erase(it);
  });
}

std::vector<std::shared_ptr<const Workflow>> ClusterNode::held_versions() {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_;
}

PooledConnection ClusterNode::connection() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return PooledConnection(*this, std::move(conn));
    }
  }
  return PooledConnection(*this, connect_for_claims(settings_.url));
}

void ClusterNode::give_back(std::unique_ptr<PgConnection> conn) {
  if (!conn || PQstatus(conn->raw()) != CONNECTION_OK) return;  // a broken one is dropped
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(conn));
}

void ClusterNode::take_back_expired_leases(ClaimQueue& queue) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (now < next_sweep_) return;
    next_sweep_ = now + std::max(Millis(50), settings_.lease / 4);
  }
  for (const ExpiredClaim& e : queue.take_back_expired()) {
    ++counters_.num_taken_back;
    log_->warn(
        "cluster: the lease of host '{}' on task '{}' attempt {} of run {} expired; the task is "
        "ready again for any host (its late result will be refused)",
        e.holder, e.task_name, e.attempt, e.run_id);
  }
}

}  // namespace flowweaver
