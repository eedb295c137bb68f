// This host as a member of a cluster of `flowweaver serve` processes on one PostgreSQL
// (docs/scale-out.md): its id and lease, the claim workers that run any host's attempts of the
// workflows it serves, the connections its runs' ClaimingRunners borrow, the notifications
// listener, and the counters. Connections: one per claim worker, one for the listener, and one
// per attempt being waited for by this host's runs (pooled).
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/claim_counters.h"
#include "cluster/claim_notifications.h"
#include "cluster/run_plugins.h"
#include "state/postgres_connection.h"
#include "util/clock.h"

namespace flowweaver {

struct Workflow;
class ClaimQueue;
class ClaimWorker;

struct ClusterSettings {
  std::string url;  // the state database (any `#workflow` is ignored)
  std::string host_id;
  int num_workers = 1;  // claim workers: calls this host runs at once for the cluster
  Millis lease{10000};
};

// The workflows this host serves now, as its claim workers see them (the service's catalog).
using ServedWorkflows = std::function<std::vector<std::shared_ptr<const Workflow>>()>;
// This host's plugin files now (cluster/run_plugins.h), to keep out of runs pinned to others.
using LocalPlugins = std::function<PluginShas()>;

class ClusterNode;

// A connection borrowed from the node for one caller; given back when this goes.
class PooledConnection {
 public:
  PooledConnection(ClusterNode& node, std::unique_ptr<PgConnection> conn)
      : node_(node), conn_(std::move(conn)) {}
  ~PooledConnection();
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  PgConnection& operator*() { return *conn_; }

 private:
  ClusterNode& node_;
  std::unique_ptr<PgConnection> conn_;
};

class ClusterNode {
 public:
  // Connects the listener; throws Error::State when the database cannot be reached.
  ClusterNode(ClusterSettings settings, std::shared_ptr<spdlog::logger> log);
  ~ClusterNode();  // stops the workers
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Starts settings().num_workers claim workers taking attempts of `served` workflows, and of
  // the versions held (hold_version()); with `plugins`, only of runs whose pinned plugins are
  // the files this host has.
  void start_workers(ServedWorkflows served, LocalPlugins plugins = {});
  // What the workers compare a run's pins with; nothing when they do not.
  std::optional<PluginShas> local_plugins() const;
  // While the result lives, the claim workers also take attempts of `workflow`'s version: a run
  // of this host holds the version it started with, which the catalog may have replaced since
  // (a manifest changed mid-run); without it, nobody might claim that run's tasks any more.
  std::shared_ptr<void> hold_version(std::shared_ptr<const Workflow> workflow);
  // The versions held now.
  std::vector<std::shared_ptr<const Workflow>> held_versions();
  // The workers give back what they have not finished (within the grace they allow the calls)
  // and end. Safe to call more than once.
  void stop_workers();

  PooledConnection connection();
  ClaimNotifications& notifications() { return *notifications_; }
  ClaimCounters& counters() { return counters_; }
  const ClusterSettings& settings() const { return settings_; }
  spdlog::logger& log() { return *log_; }
  const std::shared_ptr<spdlog::logger>& logger() const { return log_; }

  // Takes back every expired lease, at most a few times per lease (any worker may call it;
  // one does the work). Logs and counts what it took back.
  void take_back_expired_leases(ClaimQueue& queue);

 private:
  friend class PooledConnection;
  void give_back(std::unique_ptr<PgConnection> conn);

  ClusterSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  ClaimCounters counters_;
  std::unique_ptr<ClaimNotifications> notifications_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::vector<std::shared_ptr<const Workflow>> held_;
  std::chrono::steady_clock::time_point next_sweep_{};
  std::vector<std::unique_ptr<ClaimWorker>> workers_;
  LocalPlugins local_plugins_;  // set before the workers start, read by them
};

// A connection for the hand-over rows (task_claims), whose commits do not wait for the disk
// (synchronous_commit off): those rows are not the record, the run's `tasks` and `attempts`
// are, which the store still writes durably. A server crash may lose the last hand-overs; the
// run's host loses its store connection with them, and the resumed run offers those attempts
// again. Throws Error::State as PgConnection's constructor does.
std::unique_ptr<PgConnection> connect_for_claims(const std::string& url);

// The database URL of a state location (a `#workflow` fragment dropped).
std::string cluster_database_url(const std::string& state_url);

}  // namespace flowweaver
