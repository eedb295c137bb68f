// Several services in one process on one PostgreSQL state, each with its own host id and a clock
// the test moves: they see each other, a schedule fires once across them, a workflow runs on one
// host at a time and the others say which, a plugin pinned by another host's run is reported.
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "service/service.h"
#include "service/views/run_views.h"
#include "state/postgres_connection.h"
#include "unit/postgres_state_server.h"
#include "unit/service_test_support.h"
#include "unit/time_test_util.h"
#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using testing::new_postgres_database;

bool eventually(const std::function<bool()>& condition, int timeout_ms = 15000) {
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    if (condition()) return true;
    std::this_thread::sleep_for(Millis(10));
  }
  return condition();
}

// One host: its own directory (workflows, logs), the shared database, its own clock.
struct Host {
  Host(const fs::path& dir, const std::string& url, const std::string& id, TimePoint start)
      : clock(start) {
    fs::create_directories(dir / "workflows");
    std::string yaml = "workflows_dir: workflows\nlog_dir: log\nstate: \"" + url +
                       "\"\nhost_id: " + id + "\ngrace_period: 1s\nplugin_dirs: [\"" +
                       FLOWWEAVER_PLUGIN_DIR + "\"]\n";
    DiagnosticList diagnostics("serve.yaml");
    std::optional<ServiceConfig> parsed = parse_service_config(yaml, dir, &diagnostics);
    EXPECT_TRUE(parsed) << yaml;
    if (parsed) config = *parsed;
    log = std::make_shared<spdlog::logger>(id, sink);
    log->set_level(spdlog::level::debug);
  }
  void serve(const std::string& workflow, const std::string& text) {
    std::ofstream(config.workflows_dir / (workflow + ".yaml")) << text;
  }
  void start() {
    service = std::make_unique<Service>(config, log, clock, notifier);
    service->start();
  }

  ManualClock clock;
  ServiceConfig config;
  std::shared_ptr<TextSink> sink = std::make_shared<TextSink>();
  std::shared_ptr<spdlog::logger> log;
  SystemdNotifier notifier;
  std::unique_ptr<Service> service;
};

class ClusterServiceTest : public ::testing::Test {
 protected:
  ClusterServiceTest() {
    dir_ = fs::temp_directory_path() / ("fw-cluster-" + std::to_string(std::random_device{}()));
    url_ = new_postgres_database("cluster");
  }
  ~ClusterServiceTest() override {
    for (auto& host : hosts_) {
      if (host->service) host->service->stop();
    }
    hosts_.clear();
    fs::remove_all(dir_);
  }
  Host& add_host(const std::string& id, TimePoint start) {
    hosts_.push_back(std::make_unique<Host>(dir_ / id, url_, id, start));
    return *hosts_.back();
  }
  // -1 while the table is not made yet (the runs table: until a run opens).
  long long count(const std::string& sql) {
    PgConnection db(url_);
    try {
      return db.exec("testing", sql).number(0, 0);
    } catch (const Error&) {
      return -1;
    }
  }

  ScopedTimeZone zone_{"UTC"};
  fs::path dir_;
  std::string url_;
  std::vector<std::unique_ptr<Host>> hosts_;
};

constexpr const char* kNightly =
    "name: nightly\nschedule: \"0 2 * * *\"\ntasks:\n"
    "  - {name: a, uses: builtin.noop}\n";
constexpr const char* kSlow =
    "name: slow\ntasks:\n"
    "  - {name: a, uses: builtin.sleep, with: {duration: 30s}}\n";

TEST_F(ClusterServiceTest, HostsSeeEachOtherAndOneWhoStopsLeaves) {
  for (const char* id : {"alpha", "beta", "gamma"}) {
    Host& h = add_host(id, utc("2026-11-26 01:00:00"));
    h.serve("nightly", kNightly);
    h.start();
  }
  auto ids = [&](Host& h) {
    std::vector<std::string> out;
    std::optional<ClusterHealth> health = h.service->cluster_health();
    for (const AliveHost& a : health->hosts_alive) out.push_back(a.host_id);
    return out;
  };
  std::vector<std::string> all = {"alpha", "beta", "gamma"};
  ASSERT_TRUE(eventually([&] { return ids(*hosts_[0]) == all; })) << ids(*hosts_[0]).size();
  EXPECT_EQ(hosts_[2]->service->cluster_health()->host_id, "gamma");
  EXPECT_EQ(hosts_[2]->service->cluster_health()->claims, 0u);
  std::string metrics = hosts_[1]->service->metrics_text();
  EXPECT_NE(metrics.find("flowweaver_host_info{host_id=\"beta\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("flowweaver_cluster_claims_total 0"), std::string::npos) << metrics;
  // A run's one task is claimed by one of the hosts: its health and metrics count it.
  ASSERT_EQ(hosts_[1]->service->start_run("nightly", "test").code, StartRunResult::Code::kStarted);
  auto claims = [&] {
    uint64_t total = 0;
    for (auto& h : hosts_) total += h->service->cluster_health()->claims;
    return total;
  };
  ASSERT_TRUE(eventually([&] { return claims() == 1; })) << claims();
  int counted = 0;
  for (auto& h : hosts_) {
    if (h->service->cluster_health()->claims == 1) {
      counted +=
          h->service->metrics_text().find("flowweaver_cluster_claims_total 1") != std::string::npos;
    }
  }
  EXPECT_EQ(counted, 1);
  ASSERT_TRUE(eventually([&] {
    return hosts_[1]->service->metrics_text().find("flowweaver_cluster_hosts_alive 3") !=
           std::string::npos;
  }));

  hosts_[2]->service->stop();  // leaves at once: its row is gone
  ASSERT_TRUE(eventually([&] { return ids(*hosts_[0]).size() == 2; }));
  EXPECT_EQ(count("SELECT count(*) FROM cluster_hosts"), 2);
}

TEST_F(ClusterServiceTest, AScheduleFiresOnceAcrossThreeHosts) {
  for (const char* id : {"alpha", "beta", "gamma"}) {
    Host& h = add_host(id, utc("2026-11-26 01:59:30"));
    h.serve("nightly", kNightly);
    h.start();
  }
  for (auto& h : hosts_) h->clock.set(utc("2026-11-26 02:00:00"));
  for (auto& h : hosts_) h->service->poke();
  ASSERT_TRUE(eventually([&] {
    return count(
               "SELECT count(*) FROM runs WHERE workflow = 'nightly' AND status = "
               "'COMPLETED'") == 1;
  }));
  std::this_thread::sleep_for(Millis(500));  // every host's loop has turned many times
  EXPECT_EQ(count("SELECT count(*) FROM runs WHERE workflow = 'nightly'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM schedule_fires WHERE workflow = 'nightly' AND fire_time "
                  "= '2026-11-26T02:00:00.000Z' AND run_id = (SELECT run_id FROM runs)"),
            1);
  int skipped = 0;
  for (auto& h : hosts_) {
    skipped += h->sink->text().find("started by another host") != std::string::npos;
  }
  EXPECT_EQ(skipped, 2);

  // The next fire time, with one host's clock a little behind: still one run.
  hosts_[0]->clock.set(utc("2026-11-27 02:00:00"));
  hosts_[1]->clock.set(utc("2026-11-27 02:00:01"));
  hosts_[2]->clock.set(utc("2026-11-27 01:59:59"));
  for (auto& h : hosts_) h->service->poke();
  ASSERT_TRUE(eventually([&] {
    return count(
               "SELECT count(*) FROM runs WHERE workflow = 'nightly' AND status = "
               "'COMPLETED'") == 2;
  }));
  std::this_thread::sleep_for(Millis(2500));  // the late host's clock passes the fire time
  EXPECT_EQ(count("SELECT count(*) FROM runs"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM schedule_fires"), 2);
}

TEST_F(ClusterServiceTest, ARunRequestedWhileAnotherHostRunsTheWorkflowIsRefusedNamingThatHost) {
  Host& a = add_host("alpha", utc("2026-11-26 01:00:00"));
  Host& b = add_host("beta", utc("2026-11-26 01:00:00"));
  a.serve("slow", kSlow);
  b.serve("slow", kSlow);
  a.start();
  b.start();
  StartRunResult first = a.service->start_run("slow", "test");
  ASSERT_EQ(first.code, StartRunResult::Code::kStarted) << first.message;
  StartRunResult second = b.service->start_run("slow", "test");
  EXPECT_EQ(second.code, StartRunResult::Code::kActiveElsewhere) << second.message;
  EXPECT_EQ(second.host_id, "alpha");
  EXPECT_EQ(second.run_id, first.run_id);
  EXPECT_NE(second.message.find("active on host alpha"), std::string::npos) << second.message;
  EXPECT_EQ(b.service->active_runs(), 0u);

  ASSERT_EQ(a.service->cancel_run(first.run_id).code, CancelRunResult::Code::kCancelling);
  ASSERT_TRUE(eventually([&] { return a.service->active_runs() == 0; }));
  EXPECT_EQ(count("SELECT count(*) FROM cluster_active_runs"), 0);
  StartRunResult third = b.service->start_run("slow", "test");  // free again: b may run it
  EXPECT_EQ(third.code, StartRunResult::Code::kStarted) << third.message;
  EXPECT_EQ(count("SELECT count(*) FROM cluster_active_runs WHERE host_id = 'beta' AND run_id "
                  "= '" +
                  third.run_id + "'"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM run_plugins WHERE run_id = '" + third.run_id +
                  "' AND plugin = 'builtin' AND length(sha256) = 64"),
            1);
}

TEST_F(ClusterServiceTest, AnotherHostsRunPinnedToAPluginFileThisHostLacksIsReportedInHealth) {
  Host& a = add_host("alpha", utc("2026-11-26 01:00:00"));
  a.serve("nightly", kNightly);
  a.start();
  auto plugin_check = [&]() -> std::optional<HealthCheck> {
    for (const HealthCheck& c : a.service->health_checks(true)) {
      if (c.name == "plugin_versions") return c;
    }
    return std::nullopt;
  };
  ASSERT_TRUE(plugin_check());
  EXPECT_TRUE(plugin_check()->ok);
  {
    // What a host with another build of `builtin` leaves while its run goes on.
    PgConnection db(url_);
    db.exec("testing", "INSERT INTO cluster_active_runs VALUES ('other', 'omega', 'run-9', now())");
    db.exec("testing",
            "INSERT INTO run_plugins VALUES ('run-9', 'builtin', '" + std::string(64, 'f') + "')");
  }
  ASSERT_TRUE(eventually([&] { return !plugin_check()->ok; }));
  std::string detail = plugin_check()->detail;
  EXPECT_NE(detail.find("run run-9 uses plugin 'builtin' sha256=" + std::string(64, 'f')),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find("this host has sha256="), std::string::npos) << detail;
  for (const HealthCheck& c : a.service->health_checks(false)) {
    EXPECT_NE(c.name, "plugin_versions");  // /readyz stays ready
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // more heartbeats: logged once
  std::string log = a.sink->text();
  size_t first = log.find("run run-9 uses plugin 'builtin'");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("run run-9 uses plugin 'builtin'", first + 1), std::string::npos) << log;
}

}  // namespace
}  // namespace flowweaver
