// ClusterMember against a real PostgreSQL: its heartbeat thread keeps the host's row fresh,
// reports a failing database and recovers, and it leaves its row when it stops.
#include "cluster/cluster_member.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <thread>

#include "cluster/cluster_tables.h"
#include "unit/postgres_state_server.h"

namespace flowweaver {
namespace {

using testing::new_postgres_database;

bool eventually(const std::function<bool()>& condition, int timeout_ms = 15000) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    if (condition()) return true;
    std::this_thread::sleep_for(Millis(20));
  }
  return condition();
}

std::shared_ptr<spdlog::logger> quiet_log() {
  return std::make_shared<spdlog::logger>("member", spdlog::sinks_init_list{});
}

TEST(ClusterMemberTest, AFailingHeartbeatIsReportedUntilTheDatabaseWorksAgain) {
  std::string url = new_postgres_database("member");
  ClusterMember member(url, {"alpha", 1, "m", "v", "l"}, quiet_log(), [] { return PluginShas{}; });
  member.start();
  ASSERT_EQ(member.hosts_alive().size(), 1u);
  EXPECT_FALSE(member.heartbeat_error());

  PgConnection db(url);
  db.exec("testing", "ALTER TABLE cluster_hosts RENAME TO cluster_hosts_away");
  ASSERT_TRUE(eventually([&] { return member.heartbeat_error().has_value(); }));
  EXPECT_NE(member.heartbeat_error()->find("recording the host's heartbeat failed"),
            std::string::npos)
      << *member.heartbeat_error();

  db.exec("testing", "ALTER TABLE cluster_hosts_away RENAME TO cluster_hosts");
  ASSERT_TRUE(eventually([&] { return !member.heartbeat_error().has_value(); }));
  member.stop();
  EXPECT_EQ(db.exec("testing", "SELECT count(*) FROM cluster_hosts").number(0, 0), 0);
}

TEST(ClusterMemberTest, AnUnreachableDatabaseFailsTheStartNamingIt) {
  ClusterMember member("postgresql://fw:s3cret@127.0.0.1:1/flow", {"alpha", 1, "m", "v", "l"},
                       quiet_log(), [] { return PluginShas{}; });
  try {
    member.start();
    FAIL() << "no error";
  } catch (const std::exception& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("postgresql://fw@127.0.0.1:1/flow"), std::string::npos) << message;
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace flowweaver
