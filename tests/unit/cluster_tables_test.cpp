// The cluster tables of a PostgreSQL state (host/cluster/): heartbeats on the database's clock,
// one winner per schedule fire time, the active run's holder, plugin pins.
#include "cluster/cluster_tables.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "cluster/active_runs.h"
#include "cluster/host_heartbeat.h"
#include "cluster/run_plugins.h"
#include "cluster/schedule_fires.h"
#include "state/postgres_connection.h"
#include "unit/postgres_state_server.h"
#include "util/error.h"

namespace flowweaver {
namespace {

using testing::new_postgres_database;

// A fresh database with the cluster tables.
std::string cluster_database(const std::string& name) {
  std::string url = new_postgres_database(name);
  PgConnection db(url);
  ensure_cluster_tables(db);
  return url;
}

HostInfo host(const std::string& id) { return {id, 42, "machine", "1.0", "127.0.0.1:8080"}; }

TEST(ClusterTablesTest, AreCreatedOnceHoweverManyHostsStartTogether) {
  std::string url = new_postgres_database("tables");
  std::vector<std::thread> hosts;
  std::atomic<int> failures{0};
  for (int i = 0; i < 4; ++i) {
    hosts.emplace_back([&] {
      try {
        PgConnection db(url);
        ensure_cluster_tables(db);
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (std::thread& t : hosts) t.join();
  EXPECT_EQ(failures, 0);
  PgConnection db(url);
  PgResult r = db.exec("testing",
                       "SELECT count(*) FROM pg_tables WHERE tablename IN ('cluster_hosts', "
                       "'schedule_fires', 'cluster_active_runs', 'run_plugins')");
  EXPECT_EQ(r.number(0, 0), 4);
}

TEST(ClusterTablesTest, HostsAliveAreThoseWithARecentHeartbeatOnTheDatabasesClock) {
  PgConnection db(cluster_database("alive"));
  record_heartbeat(db, host("a"), true);
  record_heartbeat(db, host("b"), true);
  record_heartbeat(db, host("b"), false);
  // A host silent for longer than three heartbeats, and one gone for over an hour.
  db.exec("testing",
          "INSERT INTO cluster_hosts VALUES ('stale', now(), now() - interval '7 s', "
          "1, 'm', 'v', 'l'), ('gone', now(), now() - interval '2 h', 1, 'm', 'v', 'l')");
  std::vector<AliveHost> alive = alive_hosts(db);
  ASSERT_EQ(alive.size(), 2u);
  EXPECT_EQ(alive[0].host_id, "a");
  EXPECT_EQ(alive[1].host_id, "b");
  EXPECT_EQ(alive[1].pid, 42);
  EXPECT_EQ(alive[1].listen, "127.0.0.1:8080");
  EXPECT_EQ(alive[0].last_seen.size(), std::string("2026-12-05T15:00:00.000Z").size());
  EXPECT_EQ(forget_gone_hosts(db), 1);
  EXPECT_EQ(db.exec("testing", "SELECT count(*) FROM cluster_hosts").number(0, 0), 3);
  forget_host(db, "a");
  EXPECT_EQ(alive_hosts(db).size(), 1u);
}

TEST(ClusterTablesTest, AScheduleFireTimeIsClaimedByOneHostOnly) {
  std::string url = cluster_database("fires");
  TimePoint fire(std::chrono::seconds(1700000040));
  std::atomic<int> winners{0};
  std::vector<std::thread> hosts;
  for (int i = 0; i < 3; ++i) {
    hosts.emplace_back([&, i] {
      PgConnection db(url);
      if (claim_schedule_fire(db, "nightly", fire, "host" + std::to_string(i))) ++winners;
    });
  }
  for (std::thread& t : hosts) t.join();
  EXPECT_EQ(winners, 1);
  PgConnection db(url);
  EXPECT_TRUE(claim_schedule_fire(db, "nightly", fire + std::chrono::minutes(1), "host0"));
  EXPECT_TRUE(claim_schedule_fire(db, "other", fire, "host0"));
  record_fire_run(db, "nightly", fire, "run-1");
  PgResult r = db.exec("testing",
                       "SELECT run_id FROM schedule_fires WHERE workflow = 'nightly' "
                       "AND run_id IS NOT NULL");
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.text(0, 0), "run-1");
}

TEST(ClusterTablesTest, TheActiveRunNamesItsHostUntilThatHostForgetsIt) {
  PgConnection db(cluster_database("active"));
  EXPECT_FALSE(find_active_run(db, "etl"));
  record_active_run(db, "etl", "a", "");
  EXPECT_TRUE(active_runs_elsewhere(db, "b").empty());  // not opened yet
  record_active_run(db, "etl", "a", "r1");
  std::optional<ClusterActiveRun> run = find_active_run(db, "etl");
  ASSERT_TRUE(run);
  EXPECT_EQ(run->host_id, "a");
  EXPECT_EQ(run->run_id, "r1");
  ASSERT_EQ(active_runs_elsewhere(db, "b").size(), 1u);
  EXPECT_TRUE(active_runs_elsewhere(db, "a").empty());
  forget_active_run(db, "etl", "b");  // not b's: stays
  EXPECT_TRUE(find_active_run(db, "etl"));
  record_active_run(db, "etl", "b", "r2");  // a died; b took the workflow over
  EXPECT_EQ(find_active_run(db, "etl")->host_id, "b");
  forget_active_run(db, "etl", "b");
  EXPECT_FALSE(find_active_run(db, "etl"));
}

TEST(ClusterTablesTest, PluginMismatchesNameEachPluginWhoseLocalCopyDiffers) {
  PgConnection db(cluster_database("pins"));
  record_run_plugins(db, "r1", {{"shell", "aaa"}, {"sql", "bbb"}, {"http", "ccc"}});
  record_run_plugins(db, "r1", {{"shell", "zzz"}});  // a resume keeps the first pins
  EXPECT_TRUE(
      plugin_mismatches(db, "r1", {{"shell", "aaa"}, {"sql", "bbb"}, {"http", "ccc"}}).empty());
  std::vector<PluginMismatch> m = plugin_mismatches(db, "r1", {{"shell", "aaa"}, {"sql", "new"}});
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].plugin, "http");
  EXPECT_EQ(m[0].run_sha256, "ccc");
  EXPECT_EQ(m[0].local_sha256, "");
  EXPECT_EQ(m[1].plugin, "sql");
  EXPECT_EQ(m[1].run_sha256, "bbb");
  EXPECT_EQ(m[1].local_sha256, "new");
  EXPECT_TRUE(plugin_mismatches(db, "unknown-run", {}).empty());
}

TEST(ClusterTablesTest, WithoutTheTablesACallIsAStateErrorSayingWhatItDid) {
  std::string url = new_postgres_database("gone");
  PgConnection db(url);
  // Without the tables: the server's message says which relation is missing.
  try {
    record_heartbeat(db, host("a"), true);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kState);
    EXPECT_NE(std::string(e.what()).find("recording the host's heartbeat"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("cluster_hosts"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flowweaver
