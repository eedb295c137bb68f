// Several `flowweaver serve` processes on one PostgreSQL as one service (docs/scale-out.md): a
// run started on one host has its tasks claimed by every host, and survives hosts killed with
// -9 or stopped past their lease, each task COMPLETED exactly once.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/flowweaver_process.h"
#include "integration/serve_process.h"
#include "state/postgres_connection.h"
#include "unit/postgres_state_server.h"

namespace flowweaver::testing {
namespace {

using Json = nlohmann::json;

long long number(const std::string& url, const std::string& sql) {
  return std::stoll(postgres_column(url, sql).at(0));
}

// workflows/wf.yaml (`manifest`) and one config per host, config-<host>.yaml.
void write_cluster(const TempDir& dir, const std::string& url, const std::string& manifest,
                   const std::vector<std::string>& hosts, const std::string& lease) {
  std::filesystem::create_directories(dir.path() / "workflows");
  dir.write("workflows/wf.yaml", manifest);
  for (const std::string& host : hosts) {
    dir.write("config-" + host + ".yaml",
              "workflows_dir: workflows\nstate_dir: var-" + host + "\nlog_dir: var-" + host +
                  "/log\nlisten: \"127.0.0.1:0\"\nstate: " + url + "\nhost_id: " + host +
                  "\ncluster_workers: 2\nlease: " + lease + "\n");
  }
}

std::unique_ptr<ServeProcess> serve(const TempDir& dir, const std::string& host) {
  return std::make_unique<ServeProcess>(dir.path() / ("config-" + host + ".yaml"), dir.path());
}

std::string start_run(ServeProcess& host) {
  HttpReply started = host.post("/api/workflows/wf/runs");
  EXPECT_EQ(started.status, 201) << started.body;
  return Json::parse(started.body, nullptr, false).value("run_id", "");
}

bool wait_for_status(ServeProcess& host, const std::string& run_id, int timeout_ms) {
  return wait_until(
      [&] { return host.get_json("/api/runs/" + run_id).value("status", "") == "COMPLETED"; },
      timeout_ms);
}

long long claims_held_by(const std::string& url, const std::string& host) {
  return number(
      url, "SELECT count(*) FROM task_claims WHERE status = 'claimed' AND holder = '" + host + "'");
}

// Tasks that each have one COMPLETED attempt, and tasks that have more than one.
void expect_each_completed_once(const std::string& url, int num_tasks) {
  EXPECT_EQ(number(url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"), num_tasks);
  EXPECT_EQ(number(url,
                   "SELECT count(DISTINCT task_name) FROM attempts "
                   "WHERE status = 'COMPLETED'"),
            num_tasks);
  EXPECT_EQ(number(url,
                   "SELECT count(*) FROM (SELECT task_name FROM attempts WHERE status = "
                   "'COMPLETED' GROUP BY task_name HAVING count(*) > 1) twice"),
            0);
}

TEST(ClaimsServeTest, TwoHostsShareTheTasksOfOneRun) {
  std::string url = new_postgres_database("twohosts");
  TempDir dir;
  std::string manifest = "name: wf\nmax_workers: 8\ntasks:\n";
  for (int i = 0; i < 40; ++i) {
    manifest +=
        "  - {name: t" + std::to_string(i) + ", uses: builtin.sleep, with: {duration: 30ms}}\n";
  }
  write_cluster(dir, url, manifest, {"alpha", "beta"}, "2s");
  std::unique_ptr<ServeProcess> alpha = serve(dir, "alpha"), beta = serve(dir, "beta");
  std::string run_id = start_run(*alpha);
  ASSERT_FALSE(run_id.empty());
  ASSERT_TRUE(wait_for_status(*alpha, run_id, 60000))
      << alpha->get("/api/runs/" + run_id).body << alpha->err() << beta->err();

  expect_each_completed_once(url, 40);
  EXPECT_EQ(postgres_column(url, "SELECT DISTINCT holder FROM task_claims ORDER BY holder"),
            (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(number(url, "SELECT count(*) FROM task_claims WHERE status = 'consumed'"), 40);
  EXPECT_EQ(alpha->stop().exit_code, 0);
  EXPECT_EQ(beta->stop().exit_code, 0);
}

// The test: three hosts, 500 tasks that sleep 20 ms and append their name to a file;
// beta is killed -9 twice (and started again), gamma stopped past its lease and continued.
TEST(ClaimsServeTest, HostsKilledOrStoppedLoseTheirTasksAndEachTaskCompletesOnce) {
  constexpr int kTasks = 500;
  std::string url = new_postgres_database("threehosts");
  TempDir dir;
  std::string lines = (dir.path() / "lines.txt").string();
  std::string manifest = "name: wf\nmax_workers: 4\ntasks:\n";
  for (int i = 0; i < kTasks; ++i) {
    std::string name = "t" + std::to_string(i);
    manifest += "  - {name: " + name +
                ", uses: shell.run, with: {shell: true, command: 'sleep 0.02; echo " + name +
                " >> " + lines + "'}}\n";
  }
  write_cluster(dir, url, manifest, {"alpha", "beta", "gamma"}, "1s");
  std::unique_ptr<ServeProcess> alpha = serve(dir, "alpha"), beta = serve(dir, "beta"),
                                gamma = serve(dir, "gamma");
  std::string run_id = start_run(*alpha);
  ASSERT_FALSE(run_id.empty());

  long long in_flight_lost = 0;  // attempts that were running on a killed or stopped host
  for (int kill = 0; kill < 2; ++kill) {
    ASSERT_TRUE(wait_until([&] { return claims_held_by(url, "beta") > 0; }, 30000)) << beta->err();
    beta->kill_nine();
    in_flight_lost += claims_held_by(url, "beta");
    beta = serve(dir, "beta");
  }
  long long stopped_holding = 0;
  for (int tries = 0; tries < 20 && stopped_holding == 0; ++tries) {
    ASSERT_TRUE(wait_until([&] { return claims_held_by(url, "gamma") > 0; }, 30000))
        << gamma->err();
    gamma->signal(SIGSTOP);
    stopped_holding = claims_held_by(url, "gamma");
    if (stopped_holding == 0) gamma->signal(SIGCONT);
  }
  ASSERT_GT(stopped_holding, 0) << "gamma never stopped holding a task";
  in_flight_lost += stopped_holding;
  // Past its lease: the others take its tasks back and run them.
  ASSERT_TRUE(wait_until([&] { return claims_held_by(url, "gamma") == 0; }, 20000));
  gamma->signal(SIGCONT);

  ASSERT_TRUE(wait_for_status(*alpha, run_id, 120000))
      << alpha->get("/api/runs/" + run_id).body << alpha->err();
  expect_each_completed_once(url, kTasks);
  // The stopped host woke up holding stale tokens: its results were refused, and said so.
  EXPECT_TRUE(
      wait_until([&] { return gamma->err().find("was refused") != std::string::npos; }, 10000))
      << gamma->err();

  // The run's host says which attempts other hosts lost before one finished them.
  EXPECT_NE(alpha->err().find("time(s) on other hosts"), std::string::npos) << alpha->err();
  std::ifstream in(lines);
  std::map<std::string, int> times;
  size_t num_lines = 0;
  for (std::string line; std::getline(in, line); ++num_lines) ++times[line];
  EXPECT_EQ(times.size(), static_cast<size_t>(kTasks)) << "a task never ran";
  EXPECT_GE(num_lines, static_cast<size_t>(kTasks));
  EXPECT_LE(static_cast<long long>(num_lines) - kTasks, in_flight_lost)
      << "more re-executions than attempts in flight on the hosts lost";
  for (auto* host : {alpha.get(), beta.get(), gamma.get()}) EXPECT_EQ(host->stop().exit_code, 0);
}

// The run's own host dies: started again, it resumes the run, and the attempts the other host
// was running for it are not run again: the resumed run takes their outcomes.
TEST(ClaimsServeTest, AResumedRunTakesTheOutcomesOfTasksItsKilledHostHandedOver) {
  constexpr int kTasks = 40;
  std::string url = new_postgres_database("runhost");
  TempDir dir;
  std::string lines = (dir.path() / "lines.txt").string();
  std::string manifest = "name: wf\nmax_workers: 4\ntasks:\n";
  for (int i = 0; i < kTasks; ++i) {
    std::string name = "t" + std::to_string(i);
    manifest += "  - {name: " + name +
                ", uses: shell.run, with: {shell: true, command: 'sleep 0.3; echo " + name +
                " >> " + lines + "'}}\n";
  }
  write_cluster(dir, url, manifest, {"alpha", "beta"}, "2s");
  std::unique_ptr<ServeProcess> alpha = serve(dir, "alpha"), beta = serve(dir, "beta");
  std::string run_id = start_run(*alpha);
  ASSERT_FALSE(run_id.empty());
  ASSERT_TRUE(wait_until([&] { return claims_held_by(url, "beta") > 0; }, 30000)) << beta->err();
  alpha->kill_nine();
  long long lost = claims_held_by(url, "alpha");  // its own calls: they run again
  alpha = serve(dir, "alpha");

  ASSERT_TRUE(wait_for_status(*alpha, run_id, 60000))
      << alpha->get("/api/runs/" + run_id).body << alpha->err();
  expect_each_completed_once(url, kTasks);
  EXPECT_NE(alpha->err().find("was handed over before; taking its outcome"), std::string::npos)
      << alpha->err();
  std::ifstream in(lines);
  std::set<std::string> names;
  long long num_lines = 0;
  for (std::string line; std::getline(in, line); ++num_lines) names.insert(line);
  EXPECT_EQ(names.size(), static_cast<size_t>(kTasks)) << "a task never ran";
  EXPECT_LE(num_lines - kTasks, lost) << "a call the other host ran for the dead one ran again";
  EXPECT_EQ(alpha->stop().exit_code, 0);
  EXPECT_EQ(beta->stop().exit_code, 0);
}

// The run's host is killed and stays down: another host sees, once the dead one's heartbeat is
// old, that nobody runs the run, resumes it, and finishes it without running done tasks again.
TEST(ClaimsServeTest, ARunWhoseHostStaysDownIsTakenOverByAnotherHost) {
  constexpr int kTasks = 30;
  std::string url = new_postgres_database("takeover");
  TempDir dir;
  std::string manifest = "name: wf\nmax_workers: 2\ntasks:\n";
  for (int i = 0; i < kTasks; ++i) {
    manifest += "  - {name: t" + std::to_string(i) +
                ", uses: builtin.sleep, with: {duration: 200ms}" +
                (i > 0 ? ", depends_on: [t" + std::to_string(i - 1) + "]" : std::string()) + "}\n";
  }
  write_cluster(dir, url, manifest, {"alpha", "beta"}, "2s");
  std::unique_ptr<ServeProcess> alpha = serve(dir, "alpha"), beta = serve(dir, "beta");
  std::string run_id = start_run(*alpha);
  ASSERT_FALSE(run_id.empty());
  ASSERT_TRUE(wait_until(
      [&] { return number(url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'") >= 5; },
      30000));
  alpha->kill_nine();
  long long done_before = number(url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'");

  ASSERT_TRUE(wait_for_status(*beta, run_id, 60000))
      << beta->get("/api/runs/" + run_id).body << beta->err();
  EXPECT_NE(beta->err().find("run " + run_id +
                             " of 'wf' was left unfinished by a host that is "
                             "gone: resumed here"),
            std::string::npos)
      << beta->err();
  expect_each_completed_once(url, kTasks);
  EXPECT_EQ(number(url, "SELECT count(*) FROM runs"), 1) << "the takeover started a new run";
  EXPECT_LT(done_before, kTasks);
  EXPECT_EQ(beta->stop().exit_code, 0);
}

// A manifest changed while its run goes on: the run keeps the version it started with, and the
// host keeps claiming that version's tasks though its catalog now serves the new one.
TEST(ClaimsServeTest, ARunGoesOnWithItsVersionWhenTheManifestChangesMidRun) {
  std::string url = new_postgres_database("midrun");
  TempDir dir;
  auto manifest = [](const std::string& duration) {
    std::string yaml = "name: wf\nmax_workers: 2\ntasks:\n";
    for (int i = 0; i < 12; ++i) {
      yaml += "  - {name: t" + std::to_string(i) +
              ", uses: builtin.sleep, with: {duration: " + duration + "}}\n";
    }
    return yaml;
  };
  write_cluster(dir, url, manifest("150ms"), {"alpha"}, "2s");
  std::unique_ptr<ServeProcess> alpha = serve(dir, "alpha");
  std::string run_id = start_run(*alpha);
  ASSERT_FALSE(run_id.empty());
  ASSERT_TRUE(wait_until(
      [&] { return number(url, "SELECT count(*) FROM task_claims WHERE status = 'consumed'") > 0; },
      20000));
  dir.write("workflows/.wf.yaml.new", manifest("10ms"));
  std::filesystem::rename(dir.path() / "workflows/.wf.yaml.new", dir.path() / "workflows/wf.yaml");
  auto times_served = [&] {
    std::string err = alpha->err();
    int n = 0;
    for (size_t at = err.find("serving workflow 'wf'"); at != std::string::npos;
         at = err.find("serving workflow 'wf'", at + 1))
      ++n;
    return n;
  };
  ASSERT_TRUE(wait_until([&] { return times_served() == 2; }, 10000)) << alpha->err();
  EXPECT_LT(number(url, "SELECT count(*) FROM task_claims WHERE status = 'consumed'"), 12)
      << "the run ended before the manifest changed: the test proves nothing";
  ASSERT_TRUE(wait_for_status(*alpha, run_id, 30000))
      << alpha->get("/api/runs/" + run_id).body << alpha->err();
  expect_each_completed_once(url, 12);
  EXPECT_EQ(alpha->stop().exit_code, 0);
}

}  // namespace
}  // namespace flowweaver::testing
