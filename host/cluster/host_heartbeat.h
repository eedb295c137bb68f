// Which `flowweaver serve` hosts share the database and which of them are alive: each host
// upserts its cluster_hosts row at a fixed interval; a host is alive while its row is younger
// than kHostsAliveHeartbeats intervals, measured on the database's clock.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "state/postgres_connection.h"

namespace flowweaver {

// How often a host records its heartbeat.
constexpr std::chrono::seconds kHeartbeatInterval{2};
// A host whose last heartbeat is older than this many intervals is taken for gone.
constexpr int kHostsAliveHeartbeats = 3;
// A row this old belongs to a host that left for good; whichever host notices deletes it.
constexpr std::chrono::hours kForgetHostAfter{1};

struct HostInfo {
  std::string host_id;
  long long pid = 0;
  std::string hostname;
  std::string version;
  std::string listen;  // HOST:PORT of its HTTP API
};

struct AliveHost {
  std::string host_id;
  std::string last_seen;  // ISO 8601 UTC, the database's clock
  long long pid = 0;
  std::string hostname;
  std::string listen;
};

// Inserts or refreshes `host`'s row (last_seen = now(); started_at kept from the first call of
// this process: a row left by an earlier process of the same id starts anew).
void record_heartbeat(PgConnection& db, const HostInfo& host, bool first);

// The hosts whose last heartbeat is within kHostsAliveHeartbeats intervals, by host_id.
std::vector<AliveHost> alive_hosts(PgConnection& db);

// Deletes the rows of hosts not seen for kForgetHostAfter; returns how many.
long long forget_gone_hosts(PgConnection& db);

// Deletes `host_id`'s row (a host that stops cleanly leaves at once).
void forget_host(PgConnection& db, const std::string& host_id);

}  // namespace flowweaver
