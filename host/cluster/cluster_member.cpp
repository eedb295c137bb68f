#include "cluster/cluster_member.h"

#include "cluster/cluster_tables.h"
#include "cluster/schedule_fires.h"
#include "util/time_format.h"

namespace flowweaver {

ClusterMember::ClusterMember(std::string url, HostInfo self, std::shared_ptr<spdlog::logger> log,
                             std::function<PluginShas()> local_plugins)
    : url_(std::move(url)),
      self_(std::move(self)),
      log_(std::move(log)),
      local_plugins_(std::move(local_plugins)) {}

ClusterMember::~ClusterMember() { stop(); }

void ClusterMember::start() {
  heartbeat_db_ = std::make_unique<PgConnection>(url_);
  ensure_cluster_tables(*heartbeat_db_);
  heartbeat_once(*heartbeat_db_, /*first=*/true);
  thread_ = std::thread([this] { heartbeat_loop(); });
}

void ClusterMember::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  with_db("removing the host's heartbeat",
          [&](PgConnection& db) { forget_host(db, self_.host_id); });
}

void ClusterMember::heartbeat_loop() {
  std::unique_ptr<PgConnection>& db = heartbeat_db_;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait_for(lock, kHeartbeatInterval, [&] { return stopping_; });
      if (stopping_) return;
    }
    try {
      if (!db) db = std::make_unique<PgConnection>(url_);
      heartbeat_once(*db, false);
    } catch (const std::exception& e) {
      db.reset();  // a new connection next turn: the server may have restarted
      std::lock_guard<std::mutex> lock(mutex_);
      if (!heartbeat_error_)
        log_->warn("cluster heartbeat of host {} failed: {}", self_.host_id, e.what());
      heartbeat_error_ = e.what();
    }
  }
}

void ClusterMember::heartbeat_once(PgConnection& db, bool first) {
  record_heartbeat(db, self_, first);
  std::vector<AliveHost> alive = alive_hosts(db);
  long long forgotten = forget_gone_hosts(db);
  if (forgotten > 0) log_->info("forgot {} host(s) not seen for an hour", forgotten);
  std::vector<PluginMismatch> found;
  PluginShas local = local_plugins_ ? local_plugins_() : PluginShas{};
  for (const ClusterActiveRun& run : active_runs_elsewhere(db, self_.host_id)) {
    for (PluginMismatch& m : flowweaver::plugin_mismatches(db, run.run_id, local)) {
      found.push_back(std::move(m));
    }
  }
  note_mismatches(std::move(found));
  std::lock_guard<std::mutex> lock(mutex_);
  if (heartbeat_error_) log_->info("cluster heartbeat of host {} works again", self_.host_id);
  heartbeat_error_.reset();
  hosts_alive_ = std::move(alive);
}

// Each mismatch is logged once, when first seen.
void ClusterMember::note_mismatches(std::vector<PluginMismatch> found) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const PluginMismatch& m : found) {
    if (!mismatches_logged_.insert(m.run_id + "/" + m.plugin).second) continue;
    log_->warn(
        "run {} uses plugin '{}' sha256={}, but this host has {}: this host does not take part "
        "in that run; deploy the same plugin file on every host",
        m.run_id, m.plugin, m.run_sha256,
        m.local_sha256.empty() ? "no such plugin" : "sha256=" + m.local_sha256);
  }
  mismatches_ = std::move(found);
}

std::vector<AliveHost> ClusterMember::hosts_alive() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hosts_alive_;
}

std::vector<PluginMismatch> ClusterMember::plugin_mismatches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return mismatches_;
}

std::optional<std::string> ClusterMember::heartbeat_error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return heartbeat_error_;
}

bool ClusterMember::with_db(const char* doing, const std::function<void(PgConnection&)>& body) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  try {
    if (!db_) db_ = std::make_unique<PgConnection>(url_);
    body(*db_);
    return true;
  } catch (const std::exception& e) {
    db_.reset();
    log_->warn("cluster: {} failed: {}", doing, e.what());
    return false;
  }
}

bool ClusterMember::claim_schedule_fire(const std::string& workflow, TimePoint fire_time) {
  bool won = false;
  bool asked = with_db("claiming a schedule fire", [&](PgConnection& db) {
    won = flowweaver::claim_schedule_fire(db, workflow, fire_time, self_.host_id);
  });
  if (asked && !won) {
    log_->debug("scheduled run of '{}' for {} started by another host", workflow,
                format_timestamp(fire_time));
  }
  return won;
}

void ClusterMember::record_fire_run(const std::string& workflow, TimePoint fire_time,
                                    const std::string& run_id) {
  with_db("recording a schedule fire's run",
          [&](PgConnection& db) { flowweaver::record_fire_run(db, workflow, fire_time, run_id); });
}

void ClusterMember::run_starting(const std::string& workflow) {
  with_db("recording an active run",
          [&](PgConnection& db) { record_active_run(db, workflow, self_.host_id, ""); });
}

void ClusterMember::run_opened(const std::string& workflow, const std::string& run_id,
                               const PluginShas& shas) {
  with_db("recording an active run and its plugin versions", [&](PgConnection& db) {
    db.in_transaction([&] {
      record_active_run(db, workflow, self_.host_id, run_id);
      record_run_plugins(db, run_id, shas);
    });
  });
}

void ClusterMember::run_ended(const std::string& workflow) {
  with_db("removing an active run",
          [&](PgConnection& db) { forget_active_run(db, workflow, self_.host_id); });
}

std::vector<std::string> ClusterMember::orphaned_workflows() {
  std::vector<std::string> workflows;
  with_db("finding runs no host runs", [&](PgConnection& db) {
    workflows = flowweaver::orphaned_workflows(db, kHeartbeatInterval * kHostsAliveHeartbeats);
  });
  return workflows;
}

std::optional<ClusterActiveRun> ClusterMember::active_run(const std::string& workflow) {
  std::optional<ClusterActiveRun> run;
  with_db("finding a workflow's active run",
          [&](PgConnection& db) { run = find_active_run(db, workflow); });
  return run;
}

}  // namespace flowweaver
