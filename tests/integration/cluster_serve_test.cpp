// Real `flowweaver serve` processes on one real PostgreSQL: they see each other in /health and
// /metrics, and a run requested from one host while another runs the workflow is a 409 naming
// that host.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "http_client.h"
#include "integration/flowweaver_process.h"
#include "integration/serve_process.h"
#include "state/postgres_connection.h"
#include "unit/postgres_state_server.h"
#include "util/error.h"

namespace flowweaver::testing {
namespace {

using Json = nlohmann::json;

// One host: `serve` in a directory of its own (its workflow, logs and plugin cache) with the
// shared database as its state.
class ServeHost {
 public:
  // `builtin_so`: when given, the bytes of this host's own builtin.so (in a plugin directory of
  // its own); otherwise it loads the built plugins.
  ServeHost(const std::string& url, const std::string& host_id, const std::string& manifest,
            const std::map<std::string, std::string>& env = {},
            const std::optional<std::string>& builtin_so = std::nullopt)
      : serve_(write_config(dir_, url, host_id, manifest, builtin_so), dir_.path(), env) {}
  ~ServeHost() { serve_.stop(); }
  ServeProcess& serve() { return serve_; }
  Json get_json(const std::string& path) { return serve_.get_json(path); }
  std::string err() const { return serve_.err(); }

 private:
  static std::filesystem::path write_config(const TempDir& dir, const std::string& url,
                                            const std::string& host_id, const std::string& manifest,
                                            const std::optional<std::string>& builtin_so) {
    std::filesystem::create_directories(dir.path() / "workflows");
    dir.write("workflows/workflow.yaml", manifest);
    std::string plugins;
    if (builtin_so) {
      std::filesystem::create_directories(dir.path() / "plugins");
      dir.write("plugins/builtin.so", *builtin_so);
      plugins = "plugin_dirs: [plugins]\n";
    }
    return dir.write("config.yaml",
                     "workflows_dir: workflows\nstate_dir: var\nlog_dir: var/log\n"
                     "listen: \"127.0.0.1:0\"\nstate: " +
                         url + "\nhost_id: " + host_id + "\ngrace_period: 1s\n" + plugins);
  }

  TempDir dir_;
  ServeProcess serve_;
};

constexpr const char* kSlow =
    "name: slow\ntasks:\n"
    "  - {name: a, uses: builtin.sleep, with: {duration: 20s}}\n";

std::set<std::string> alive_ids(ServeHost& host) {
  std::set<std::string> ids;
  Json health = host.get_json("/health");
  if (!health.is_object() || !health.contains("hosts_alive")) return ids;
  for (const Json& h : health["hosts_alive"]) ids.insert(h["host_id"].get<std::string>());
  return ids;
}

TEST(ClusterServeTest, HostsOnOneDatabaseSeeEachOtherAndARunActiveOnOneIsA409OnTheOther) {
  std::string url = new_postgres_database("serve_cluster");
  ServeHost alpha(url, "alpha", kSlow), beta(url, "beta", kSlow), gamma(url, "gamma", kSlow);
  std::set<std::string> all = {"alpha", "beta", "gamma"};
  ASSERT_TRUE(wait_until(
      [&] { return alive_ids(alpha) == all && alive_ids(beta) == all && alive_ids(gamma) == all; },
      15000))
      << alpha.get_json("/health").dump();
  Json health = beta.get_json("/health");
  EXPECT_EQ(health["host_id"], "beta");
  EXPECT_EQ(health["claims"], 0);
  EXPECT_EQ(health["checks"]["cluster"]["ok"], true);
  std::string metrics = beta.serve().get("/metrics").body;
  EXPECT_NE(metrics.find("flowweaver_host_info{host_id=\"beta\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("flowweaver_cluster_hosts_alive 3"), std::string::npos) << metrics;

  HttpReply started = alpha.serve().post("/api/workflows/slow/runs", "");
  ASSERT_EQ(started.status, 201) << started.body;
  std::string run_id = Json::parse(started.body)["run_id"];
  HttpReply refused = beta.serve().post("/api/workflows/slow/runs", "");
  EXPECT_EQ(refused.status, 409) << refused.body;
  Json body = Json::parse(refused.body, nullptr, false);
  EXPECT_EQ(body["host_id"], "alpha") << refused.body;
  EXPECT_EQ(body["run_id"], run_id) << refused.body;
  EXPECT_NE(body["error"].get<std::string>().find("active on host alpha"), std::string::npos);
  EXPECT_EQ(beta.err().find("answered 500"), std::string::npos) << beta.err();
  EXPECT_EQ(alpha.serve().post("/api/runs/" + run_id + "/cancel", "").status, 202);
}

// The SHA-256 of plugin `name` as the host's /api/plugins gives it.
std::string plugin_sha(ServeHost& host, const std::string& name) {
  for (const Json& p : host.get_json("/api/plugins")) {
    if (p.value("name", "") == name) return p.value("sha256", "");
  }
  return "";
}

Json check_of(ServeHost& host, const std::string& name) {
  Json health = host.get_json("/health");
  if (!health.is_object() || !health["checks"].contains(name)) return Json();
  return health["checks"][name];
}

TEST(ClusterServeTest, AHostWhosePluginCopyDiffersFromARunsPinSaysSoInHealthAndTheLogOnce) {
  std::string url = new_postgres_database("serve_pins");
  std::string builtin = read_file(std::filesystem::path(FLOWWEAVER_PLUGIN_DIR) / "builtin.so");
  ServeHost alpha(url, "alpha", kSlow);
  // Another build of the same plugin: the same code with bytes after it, another SHA-256.
  ServeHost beta(url, "beta", kSlow, {}, builtin + std::string(64, '\0'));
  std::string alpha_sha = plugin_sha(alpha, "builtin"), beta_sha = plugin_sha(beta, "builtin");
  ASSERT_EQ(alpha_sha.size(), 64u);
  ASSERT_EQ(beta_sha.size(), 64u);
  ASSERT_NE(alpha_sha, beta_sha);
  EXPECT_EQ(check_of(beta, "plugin_versions")["ok"], true);

  HttpReply started = alpha.serve().post("/api/workflows/slow/runs", "");
  ASSERT_EQ(started.status, 201) << started.body;
  std::string run_id = Json::parse(started.body)["run_id"];
  ASSERT_TRUE(wait_until([&] { return check_of(beta, "plugin_versions")["ok"] == false; }, 15000))
      << beta.get_json("/health").dump();
  std::string detail = check_of(beta, "plugin_versions")["detail"];
  EXPECT_NE(detail.find("run " + run_id + " uses plugin 'builtin' sha256=" + alpha_sha +
                        ", this host has sha256=" + beta_sha),
            std::string::npos)
      << detail;
  EXPECT_EQ(beta.get_json("/health")["status"], "failing");
  EXPECT_EQ(beta.serve().get("/readyz").status, 200);  // it serves every other run
  EXPECT_EQ(check_of(alpha, "plugin_versions")["ok"], true);
  std::this_thread::sleep_for(std::chrono::seconds(3));  // more heartbeats: still one log line
  std::string log = beta.err();
  size_t first = log.find("uses plugin 'builtin' sha256=" + alpha_sha);
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("uses plugin 'builtin' sha256=" + alpha_sha, first + 1), std::string::npos)
      << log;
  EXPECT_EQ(alpha.serve().post("/api/runs/" + run_id + "/cancel", "").status, 202);
}

// Every host's wall clock starts (each at its own start) a few seconds before a fire time, by
// libfaketime: the test does not depend on today's date nor wait for a real minute to turn.
std::map<std::string, std::string> clock_before_two_am() {
  // Without the shared start time of a `faketime` around the tests (make test-future), each
  // host's clock starts at its own start.
  return {{"LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"},
          {"FAKETIME_SHARED", kUnsetVariable},
          {"FAKETIME", "@2026-11-26 01:59:50"},
          {"DONT_FAKE_MONOTONIC", "1"},
          {"TZ", "UTC"}};
}

// -1 while the table is not made yet (the runs table: until a run opens).
long long count(const std::string& url, const std::string& sql) {
  PgConnection db(url);
  try {
    return db.exec("testing", sql).number(0, 0);
  } catch (const Error&) {
    return -1;
  }
}

TEST(ClusterServeTest, AScheduleFiresOnceWithThreeHostsUp) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "libfaketime is preloaded, which the sanitizers' runtimes refuse";
#endif
  std::string url = new_postgres_database("serve_schedule");
  const char* nightly =
      "name: nightly\nschedule: \"0 2 * * *\"\ntasks:\n  - {name: a, uses: builtin.noop}\n";
  ServeHost alpha(url, "alpha", nightly, clock_before_two_am());
  ServeHost beta(url, "beta", nightly, clock_before_two_am());
  auto last_start = std::chrono::steady_clock::now();
  ServeHost gamma(url, "gamma", nightly, clock_before_two_am());
  ASSERT_TRUE(wait_until(
      [&] { return count(url, "SELECT count(*) FROM runs WHERE status = 'COMPLETED'") == 1; },
      30000))
      << alpha.err() << beta.err() << gamma.err();
  // Until the last host's clock is past the fire time, and a few loop turns more.
  std::this_thread::sleep_until(last_start + std::chrono::seconds(13));
  EXPECT_EQ(count(url, "SELECT count(*) FROM runs"), 1);
  EXPECT_EQ(count(url,
                  "SELECT count(*) FROM schedule_fires WHERE workflow = 'nightly' AND "
                  "fire_time = '2026-11-26T02:00:00.000Z' AND run_id = (SELECT run_id FROM "
                  "runs) AND host_id IN ('alpha', 'beta', 'gamma')"),
            1);
  EXPECT_EQ(count(url, "SELECT count(*) FROM schedule_fires"), 1);
}

}  // namespace
}  // namespace flowweaver::testing
