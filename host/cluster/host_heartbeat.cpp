#include "cluster/host_heartbeat.h"

namespace flowweaver {
namespace {

std::string seconds_text(std::chrono::seconds s) { return std::to_string(s.count()); }

}  // namespace

void record_heartbeat(PgConnection& db, const HostInfo& host, bool first) {
  db.exec("recording the host's heartbeat",
          "INSERT INTO cluster_hosts (host_id, started_at, last_seen, pid, hostname, version, "
          "listen) VALUES ($1, now(), now(), $2, $3, $4, $5) "
          "ON CONFLICT (host_id) DO UPDATE SET last_seen = now(), pid = $2, hostname = $3, "
          "version = $4, listen = $5, "
          "started_at = CASE WHEN $6 THEN now() ELSE cluster_hosts.started_at END",
          {host.host_id, std::to_string(host.pid), host.hostname, host.version, host.listen,
           first ? "true" : "false"});
}

std::vector<AliveHost> alive_hosts(PgConnection& db) {
  PgResult r = db.exec(
      "reading the hosts alive",
      "SELECT host_id, to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
      "pid, hostname, listen FROM cluster_hosts "
      "WHERE last_seen > now() - make_interval(secs => $1::double precision) ORDER BY host_id",
      {seconds_text(kHeartbeatInterval * kHostsAliveHeartbeats)});
  std::vector<AliveHost> hosts;
  for (int row = 0; row < r.rows(); ++row) {
    hosts.push_back(
        {r.text(row, 0), r.text(row, 1), r.number(row, 2), r.text(row, 3), r.text(row, 4)});
  }
  return hosts;
}

long long forget_gone_hosts(PgConnection& db) {
  PgResult r = db.exec("forgetting hosts gone for long",
                       "WITH gone AS (DELETE FROM cluster_hosts WHERE last_seen < now() - "
                       "make_interval(secs => $1::double precision) RETURNING 1) "
                       "SELECT count(*) FROM gone",
                       {seconds_text(kForgetHostAfter)});
  return r.number(0, 0);
}

void forget_host(PgConnection& db, const std::string& host_id) {
  db.exec("removing the host's heartbeat", "DELETE FROM cluster_hosts WHERE host_id = $1",
          {host_id});
}

}  // namespace flowweaver
