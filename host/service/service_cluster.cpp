// The service as one of several hosts on one PostgreSQL state (cluster/cluster_member.h): only
// when the state is a database; with a state directory none of this runs.
#include <unistd.h>

#include "service/service.h"
#include "state/postgres_connection.h"

namespace flowweaver {
namespace {

std::string this_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

void Service::join_cluster() {
  if (config_.state_url.empty()) return;
  const std::string& url = config_.state_url;
  HostInfo self{host_id(), ::getpid(), this_hostname(), FLOWWEAVER_VERSION,
                config_.listen_host + ":" + std::to_string(config_.listen_port)};
  cluster_ = std::make_unique<ClusterMember>(url, self, log_, [this] { return local_plugins(); });
  cluster_->start();
  metrics_.add_cluster_metrics(
      self.host_id, [this] { return static_cast<double>(cluster_->hosts_alive().size()); },
      [this] { return static_cast<double>(claims_made()); });
  log_->info("host {} joined the hosts on {}", self.host_id, url_without_password(url));
}

PluginShas Service::local_plugins() const {
  PluginShas shas;
  if (!plugins_) return shas;
  for (const auto& plugin : plugins_->registry()->plugins()) {
    if (!plugin->sha256().empty()) shas[plugin->name()] = plugin->sha256();
  }
  return shas;
}

// A fire time another host has run, or could not be claimed, is skipped; the claim's log says so.
bool Service::claim_fire(const ScheduleBook::DueFire& fire) {
  return !cluster_ || cluster_->claim_schedule_fire(fire.workflow, fire.fire_time);
}

void Service::start_due_runs(TimePoint now) {
  for (const ScheduleBook::DueFire& fire : schedules_.take_due_fires(now)) {
    if (!claim_fire(fire)) continue;
    StartRunResult r = start_run(fire.workflow, "schedule");
    if (r.code == StartRunResult::Code::kStarted) {
      if (cluster_) cluster_->record_fire_run(fire.workflow, fire.fire_time, r.run_id);
    } else if (r.code == StartRunResult::Code::kActiveElsewhere) {
      log_->info("scheduled run of '{}' skipped: {}", fire.workflow, r.message);
    } else {
      log_->warn("scheduled run of '{}' skipped: {}", fire.workflow, r.message);
    }
  }
}

void Service::adopt_orphaned_runs() {
  auto now = std::chrono::steady_clock::now();
  if (!cluster_ || now < next_adoption_) return;
  next_adoption_ = now + kHeartbeatInterval;
  for (const std::string& workflow : cluster_->orphaned_workflows()) {
    if (!workflows_->find(workflow)) continue;  // not served here
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (active_.count(workflow) != 0) continue;
    }
    StartRunResult r = start_run(workflow, kTakeoverReason);
    if (r.code == StartRunResult::Code::kStarted) {
      log_->info("run {} of '{}' was left unfinished by a host that is gone: resumed here",
                 r.run_id, workflow);
    }
  }
}

// What a refused start tells its client: the host and run the cluster rows name, or the lock's
// own message (another process on this machine, or a row not written yet).
StartRunResult Service::active_elsewhere(const std::string& workflow, const StateInUse& e) {
  StartRunResult r{StartRunResult::Code::kActiveElsewhere, "", e.what()};
  std::optional<ClusterActiveRun> run = cluster_ ? cluster_->active_run(workflow) : std::nullopt;
  if (run && run->host_id != cluster_->host_id()) {
    r.run_id = run->run_id;
    r.host_id = run->host_id;
    r.message = "a run of '" + workflow + "'" +
                (run->run_id.empty() ? "" : " (" + run->run_id + ")") + " is active on host " +
                run->host_id +
                "; one run of a workflow runs at a time across the hosts: wait for it to end";
  }
  return r;
}

std::optional<ClusterHealth> Service::cluster_health() const {
  if (!cluster_) return std::nullopt;
  return ClusterHealth{cluster_->host_id(), cluster_->hosts_alive(), claims_made()};
}

// The plugin check only in the deep health (/health): a mismatch keeps this host out of one run,
// but it serves every other, so /readyz stays ready.
void Service::add_cluster_checks(std::vector<HealthCheck>* checks, bool deep) const {
  if (!cluster_) return;
  std::optional<std::string> error = cluster_->heartbeat_error();
  checks->push_back({"cluster", !error,
                     error
                         ? *error
                         : "host " + cluster_->host_id() + " records its heartbeat; " +
                               std::to_string(cluster_->hosts_alive().size()) + " host(s) alive"});
  if (!deep) return;
  std::vector<PluginMismatch> mismatches = cluster_->plugin_mismatches();
  HealthCheck plugins{"plugin_versions", mismatches.empty(),
                      "every active run of the other hosts uses this host's plugin files"};
  if (!mismatches.empty()) plugins.detail.clear();
  for (const PluginMismatch& m : mismatches) {
    plugins.detail += (plugins.detail.empty() ? "" : "; ") + std::string("run ") + m.run_id +
                      " uses plugin '" + m.plugin + "' sha256=" + m.run_sha256 +
                      ", this host has " +
                      (m.local_sha256.empty() ? "no such plugin" : "sha256=" + m.local_sha256) +
                      ": it takes no part in that run";
  }
  checks->push_back(plugins);
}

// Names this host as the workflow's runner while its writer lock is held (RunClaim's lifetime).
Service::ClusterRunRow::ClusterRunRow(ClusterMember* cluster, std::string workflow)
    : cluster_(cluster), workflow_(std::move(workflow)) {
  if (cluster_) cluster_->run_starting(workflow_);
}

Service::ClusterRunRow::~ClusterRunRow() {
  if (cluster_) cluster_->run_ended(workflow_);
}

void Service::ClusterRunRow::opened(const std::string& run_id, const Workflow& workflow) {
  if (cluster_) cluster_->run_opened(workflow_, run_id, workflow_plugin_shas(workflow));
}

}  // namespace flowweaver
