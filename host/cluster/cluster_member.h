// This `flowweaver serve` host as a member of the hosts sharing one PostgreSQL state: its
// heartbeat (a thread of its own, on a connection of its own), what it has seen of the others,
// and the cluster rows its runs and schedules write (on a second connection, shared by the
// service's threads under a mutex). Nothing here stops a run: a failed cluster write is logged
// and the run goes on, since the writer lock, not these rows, is what keeps runs apart.
#pragma once

#include <spdlog/logger.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/active_runs.h"
#include "cluster/host_heartbeat.h"
#include "cluster/run_plugins.h"
#include "state/postgres_connection.h"
#include "util/clock.h"

namespace flowweaver {

class ClusterMember {
 public:
  // `url`: the database (without a `#workflow`); `local_plugins`: the plugins this host has
  // loaded now, by name (called from the heartbeat thread).
  ClusterMember(std::string url, HostInfo self, std::shared_ptr<spdlog::logger> log,
                std::function<PluginShas()> local_plugins);
  ~ClusterMember();  // stop()
  ClusterMember(const ClusterMember&) = delete;
  ClusterMember& operator=(const ClusterMember&) = delete;

  // Creates the cluster tables when missing, records the first heartbeat and starts the
  // heartbeat thread. Throws Error::State when the database cannot be used.
  void start();
  // Ends the heartbeat and removes this host's row (it left; it did not die).
  void stop();

  const std::string& host_id() const { return self_.host_id; }

  // What the heartbeat thread saw at its last turn.
  std::vector<AliveHost> hosts_alive() const;
  // Runs of other hosts pinned to plugin versions this host does not have.
  std::vector<PluginMismatch> plugin_mismatches() const;
  // Why the last heartbeat failed; nothing when it succeeded.
  std::optional<std::string> heartbeat_error() const;

  // True when this host is the one to start `workflow`'s run for `fire_time`; false when
  // another host has, or when the database could not be asked (logged).
  bool claim_schedule_fire(const std::string& workflow, TimePoint fire_time);
  void record_fire_run(const std::string& workflow, TimePoint fire_time, const std::string& run_id);
  // The life of a run here: its state's writer lock taken, its run opened (its plugin versions
  // pinned), its end.
  void run_starting(const std::string& workflow);
  void run_opened(const std::string& workflow, const std::string& run_id, const PluginShas& shas);
  void run_ended(const std::string& workflow);
  // Workflows whose unfinished run no host alive runs (orphaned_workflows()); none on an error
  // (logged).
  std::vector<std::string> orphaned_workflows();
  // Which host runs `workflow`, as recorded; nothing when none is, or on an error (logged).
  std::optional<ClusterActiveRun> active_run(const std::string& workflow);

 private:
  void heartbeat_loop();
  void heartbeat_once(PgConnection& db, bool first);
  void note_mismatches(std::vector<PluginMismatch> found);
  // Runs `body` on the shared connection, made anew after a failure; logs and returns false when
  // it throws.
  bool with_db(const char* doing, const std::function<void(PgConnection&)>& body);

  const std::string url_;
  const HostInfo self_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<PluginShas()> local_plugins_;

  std::unique_ptr<PgConnection> heartbeat_db_;  // the heartbeat thread's own

  std::mutex db_mutex_;  // guards db_
  std::unique_ptr<PgConnection> db_;

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<AliveHost> hosts_alive_;
  std::vector<PluginMismatch> mismatches_;
  std::set<std::string> mismatches_logged_;  // "run/plugin"
  std::optional<std::string> heartbeat_error_;
  std::thread thread_;
};

}  // namespace flowweaver
