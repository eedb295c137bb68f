// The service in-process, with a clock the test moves: schedules fire at their time, once, and
// never while the workflow's previous run is active; catch-up runs start only when asked for.
#include "service/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "service/views/run_views.h"
#include "time_test_util.h"
#include "unit/service_test_support.h"
#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using ::testing::StartsWith;

// A clock stopped at one instant: every run the service starts begins in the same millisecond.
class StoppedClock : public Clock {
 public:
  explicit StoppedClock(TimePoint t) : t_(t) {}
  TimePoint now() override { return t_; }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint) override {
    cv.wait_for(lock, Millis(1));
  }

 private:
  const TimePoint t_;
};

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(Millis(10));
  }
  return false;
}

// Polls without pausing, so that a caller acts on the final status as soon as a client could.
bool becomes_final(Service& service, const std::string& run_id) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<nlohmann::json> run = run_view(service, run_id);
    if (run && (*run)["status"] != "RUNNING") return true;
  }
  return false;
}

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() {
    dir_ = fs::temp_directory_path() / ("fw-service-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "workflows");
    config_.workflows_dir = dir_ / "workflows";
    config_.plugin_dirs = {FLOWWEAVER_PLUGIN_DIR};
    config_.state_dir = dir_ / "var";
    config_.log_dir = dir_ / "var" / "log";
    log_ = std::make_shared<spdlog::logger>("test", log_sink_);
  }
  ~ServiceTest() override { fs::remove_all(dir_); }

  void write_workflow(const std::string& name, const std::string& extra,
                      const std::string& task = "{name: a, uses: builtin.noop}") {
    std::ofstream(dir_ / "workflows" / (name + ".yaml"))
        << "name: " << name << "\n"
        << extra << "\ntasks:\n  - " << task << "\n";
  }
  size_t runs(Service& service, const std::string& workflow) {
    return runs_view(service, {workflow, 100, std::nullopt})
        .value_or(nlohmann::json::array())
        .size();
  }
  bool all_finished(Service& service, const std::string& workflow) {
    for (const auto& run :
         runs_view(service, {workflow, 100, std::nullopt}).value_or(nlohmann::json::array())) {
      if (run["status"] == "RUNNING") return false;
    }
    return service.active_runs() == 0;
  }
  std::string log_text() { return log_sink_->text(); }

  ScopedTimeZone zone_{"UTC"};
  fs::path dir_;
  ServiceConfig config_;
  std::shared_ptr<TextSink> log_sink_ = std::make_shared<TextSink>();
  std::shared_ptr<spdlog::logger> log_;
  SystemdNotifier notifier_;
};

TEST_F(ServiceTest, AScheduleFiresAtItsTimeOnceAndMissedTimesAreNotBackFilled) {
  write_workflow("nightly", "schedule: \"0 2 * * *\"");
  ManualClock clock(utc("2026-11-26 01:59:30"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  std::this_thread::sleep_for(Millis(200));
  EXPECT_EQ(runs(service, "nightly"), 0u);

  clock.set(utc("2026-11-26 02:00:00"));
  service.poke();
  ASSERT_TRUE(eventually([&] { return runs(service, "nightly") == 1; }));
  ASSERT_TRUE(eventually([&] { return all_finished(service, "nightly"); }));
  EXPECT_EQ(runs_view(service, {"nightly", 1, std::nullopt})->at(0)["status"], "COMPLETED");

  clock.set(utc("2026-11-26 02:30:00"));  // not due again until tomorrow
  service.poke();
  std::this_thread::sleep_for(Millis(200));
  EXPECT_EQ(runs(service, "nightly"), 1u);

  clock.set(utc("2026-11-30 02:00:30"));  // four fire times passed: one run, not four
  service.poke();
  ASSERT_TRUE(eventually([&] { return runs(service, "nightly") == 2; }));
  ASSERT_TRUE(eventually([&] { return all_finished(service, "nightly"); }));
  std::this_thread::sleep_for(Millis(200));
  EXPECT_EQ(runs(service, "nightly"), 2u);
  service.stop();
}

TEST_F(ServiceTest, AScheduledRunTakesTheParamsDefaults) {
  write_workflow("nightly",
                 "schedule: \"0 2 * * *\"\nparams:\n  target: {type: string, default: staging}",
                 "{name: a, uses: builtin.echo, with: {target: \"${params.target}\"}}");
  ManualClock clock(utc("2026-11-26 01:59:30"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  clock.set(utc("2026-11-26 02:00:00"));
  service.poke();
  ASSERT_TRUE(eventually([&] { return runs(service, "nightly") == 1; }));
  ASSERT_TRUE(eventually([&] { return all_finished(service, "nightly"); }));
  nlohmann::json run = runs_view(service, {"nightly", 1, std::nullopt})->at(0);
  EXPECT_EQ(run["status"], "COMPLETED");
  EXPECT_EQ(run["params"], (nlohmann::json{{"target", "staging"}}));
  service.stop();
}

TEST_F(ServiceTest, ARunDueWhileThePreviousOneIsActiveIsSkippedAndLogged) {
  write_workflow("often", "schedule: \"* * * * *\"",
                 "{name: a, uses: builtin.sleep, with: {duration: 1500ms}}");
  ManualClock clock(utc("2026-11-26 10:00:30"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  clock.set(utc("2026-11-26 10:01:00"));
  service.poke();
  ASSERT_TRUE(eventually([&] { return service.active_runs() == 1; }));
  clock.set(utc("2026-11-26 10:02:00"));
  service.poke();
  ASSERT_TRUE(eventually(
      [&] { return log_text().find("scheduled run of 'often' skipped") != std::string::npos; }));
  EXPECT_NE(log_text().find("is still active"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return all_finished(service, "often"); }));
  EXPECT_EQ(runs(service, "often"), 1u);
  service.stop();
}

TEST_F(ServiceTest, CatchUpStartsOneRunAtStartOnlyWhenAskedFor) {
  write_workflow("eager", "schedule: \"0 2 * * *\"\ncatchup: true");
  write_workflow("lazy", "schedule: \"0 2 * * *\"");
  {
    ManualClock clock(utc("2026-11-26 01:59:59"));
    Service service(config_, log_, clock, notifier_);
    service.start();
    clock.set(utc("2026-11-26 02:00:00"));
    service.poke();
    ASSERT_TRUE(
        eventually([&] { return runs(service, "eager") == 1 && runs(service, "lazy") == 1; }));
    ASSERT_TRUE(eventually([&] { return all_finished(service, "eager"); }));
    ASSERT_TRUE(eventually([&] { return all_finished(service, "lazy"); }));
    service.stop();
  }
  // Down for three days, back at 10:00: only `eager` catches up, once.
  ManualClock clock(utc("2026-11-29 10:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  ASSERT_TRUE(eventually([&] { return runs(service, "eager") == 2; }));
  ASSERT_TRUE(eventually([&] { return all_finished(service, "eager"); }));
  std::this_thread::sleep_for(Millis(200));
  EXPECT_EQ(runs(service, "eager"), 2u);
  EXPECT_EQ(runs(service, "lazy"), 1u);
  service.stop();
}

// A workflow that never ran has no state: the service's start (resuming, catching up) and a deep
// health check read it as having no runs, and leave no file of it behind.
TEST_F(ServiceTest, AWorkflowThatNeverRanHasNoRunsAndGetsNoStateFile) {
  write_workflow("never", "schedule: \"0 2 * * *\"\ncatchup: true");
  ManualClock clock(utc("2026-11-26 03:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  for (const HealthCheck& check : service.health_checks(true)) {
    EXPECT_TRUE(check.ok) << check.name << ": " << check.detail;
  }
  EXPECT_EQ(runs(service, "never"), 0u);
  service.stop();
  EXPECT_FALSE(fs::exists(config_.state_dir / "never.db"));
  EXPECT_FALSE(fs::exists(config_.state_dir / "never.db.lock"));
  EXPECT_EQ(log_text().find("[error]"), std::string::npos) << log_text();
}

// Runs, their tasks and the heartbeat are timed by the service's clock, not the machine's: a
// service whose clock reads years away from today still catches up, records and reports as told.
TEST_F(ServiceTest, RunsTasksAndHealthAreTimedByTheServiceClock) {
  write_workflow("timed", "schedule: \"0 2 * * *\"\ncatchup: true");
  ManualClock clock(utc("2041-06-01 12:00:00"));
  {
    Service service(config_, log_, clock, notifier_);
    service.start();
    StartRunResult r = service.start_run("timed", "test");
    ASSERT_EQ(r.code, StartRunResult::Code::kStarted) << r.message;
    ASSERT_TRUE(eventually([&] { return all_finished(service, "timed"); }));
    nlohmann::json run = run_view(service, r.run_id).value();
    EXPECT_THAT(run["started_at"].get<std::string>(), StartsWith("2041-06-01T12:00:0"));
    EXPECT_THAT(run["finished_at"].get<std::string>(), StartsWith("2041-06-01T12:00:"));
    EXPECT_THAT(run["tasks"][0]["started_at"].get<std::string>(), StartsWith("2041-06-01T12:00:"));
    for (const HealthCheck& check : service.health_checks(false)) {
      EXPECT_TRUE(check.ok) << check.name << ": " << check.detail;
    }
    service.stop();
  }
  // The next morning by that clock: the 02:00 run was missed, so one catch-up run starts.
  clock.set(utc("2041-06-02 09:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  ASSERT_TRUE(eventually([&] { return runs(service, "timed") == 2; }));
  ASSERT_TRUE(eventually([&] { return all_finished(service, "timed"); }));
  EXPECT_THAT(
      runs_view(service, {"timed", 1, std::nullopt})->at(0)["started_at"].get<std::string>(),
      StartsWith("2041-06-02T09:00:"));
  service.stop();
}

TEST_F(ServiceTest, StartRunRefusesUnknownWorkflowsAndASecondActiveRun) {
  // The task says when its call has begun: its RUNNING row is committed just before the call,
  // and a stop before the call withdraws the queued task instead of letting it finish.
  write_workflow("slow", "",
                 "{name: a, uses: shell.run, with: {shell: true, command: 'echo started; sleep "
                 "1'}}");
  ManualClock clock(utc("2026-11-26 10:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  EXPECT_EQ(service.start_run("nope", "test").code, StartRunResult::Code::kUnknownWorkflow);
  StartRunResult first = service.start_run("slow", "test");
  ASSERT_EQ(first.code, StartRunResult::Code::kStarted) << first.message;
  StartRunResult second = service.start_run("slow", "test");
  EXPECT_EQ(second.code, StartRunResult::Code::kAlreadyActive);
  EXPECT_EQ(second.run_id, first.run_id);
  fs::path task_log = config_.log_dir / "slow" / first.run_id / "a.1.log";
  ASSERT_TRUE(eventually([&] {
    std::ifstream in(task_log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find("stdout: started") != std::string::npos;
  }));
  service.stop();  // drains: the running sleep finishes within the default grace period
  EXPECT_EQ(service.start_run("slow", "test").code, StartRunResult::Code::kStopping);
  EXPECT_EQ(runs_view(service, {"slow", 1, std::nullopt})->at(0)["status"], "COMPLETED");
}

// A client that saw a run's final status may start the next run at once, although the loop has
// not reaped the old one yet; and runs that all start in one millisecond still get distinct ids.
TEST_F(ServiceTest, ARunWithItsFinalStatusStoredIsNoLongerActiveAndEachRunHasItsOwnId) {
  write_workflow("quick", "");
  StoppedClock clock(utc("2026-11-26 04:22:57"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    StartRunResult r = service.start_run("quick", "test");
    ASSERT_EQ(r.code, StartRunResult::Code::kStarted) << "run " << i << ": " << r.message;
    ids.insert(r.run_id);
    ASSERT_TRUE(becomes_final(service, r.run_id)) << r.run_id;
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(runs_view(service, {"quick", 1000, std::nullopt})->size(), 200u);
  service.stop();
}

// Cancelling one run of the service: its sleeping task is cancelled at once (no drain), the run
// ends CANCELLED, the other workflow's run goes on, and the next run is a new one. A run nobody
// runs is recorded CANCELLED at once; closed and unknown runs are refused.
TEST_F(ServiceTest, CancelRunStopsOnlyThatRunAndTheNextRunStartsAnew) {
  write_workflow("slow", "", "{name: a, uses: builtin.sleep, with: {duration: 30s}}");
  write_workflow("other", "", "{name: a, uses: builtin.sleep, with: {duration: 1s}}");
  ManualClock clock(utc("2026-11-26 10:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  StartRunResult slow = service.start_run("slow", "test");
  ASSERT_EQ(slow.code, StartRunResult::Code::kStarted) << slow.message;
  StartRunResult other = service.start_run("other", "test");
  ASSERT_EQ(other.code, StartRunResult::Code::kStarted) << other.message;
  ASSERT_TRUE(eventually(
      [&] { return run_view(service, slow.run_id).value()["tasks"][0]["status"] == "RUNNING"; }));

  auto started = std::chrono::steady_clock::now();
  CancelRunResult cancelled = service.cancel_run(slow.run_id);
  EXPECT_EQ(cancelled.code, CancelRunResult::Code::kCancelling) << cancelled.message;
  EXPECT_EQ(cancelled.workflow, "slow");
  ASSERT_TRUE(becomes_final(service, slow.run_id));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  nlohmann::json run = run_view(service, slow.run_id).value();
  EXPECT_EQ(run["status"], "CANCELLED");
  EXPECT_FALSE(run["finished_at"].is_null());
  EXPECT_EQ(run["tasks"][0]["status"], "PENDING");
  EXPECT_THAT(run["tasks"][0]["error"].get<std::string>(), StartsWith("cancelled"));

  // The other workflow's run was not disturbed.
  ASSERT_TRUE(becomes_final(service, other.run_id));
  EXPECT_EQ(run_view(service, other.run_id).value()["status"], "COMPLETED");

  CancelRunResult again = service.cancel_run(slow.run_id);
  EXPECT_EQ(again.code, CancelRunResult::Code::kAlreadyClosed);
  EXPECT_THAT(again.message, ::testing::HasSubstr("is already CANCELLED"));
  EXPECT_EQ(service.cancel_run("20261126T100000000-abcdef").code,
            CancelRunResult::Code::kUnknownRun);

  // A CANCELLED run is not resumed: the next run is a new one.
  ASSERT_TRUE(eventually([&] { return service.active_runs() == 0; }));
  StartRunResult next = service.start_run("slow", "test");
  ASSERT_EQ(next.code, StartRunResult::Code::kStarted) << next.message;
  EXPECT_NE(next.run_id, slow.run_id);
  ASSERT_TRUE(eventually(
      [&] { return run_view(service, next.run_id).value()["tasks"][0]["status"] == "RUNNING"; }));
  EXPECT_EQ(service.cancel_run(next.run_id).code, CancelRunResult::Code::kCancelling);
  service.stop();
  EXPECT_EQ(run_view(service, next.run_id).value()["status"], "CANCELLED");
}

// A FAILED run is resumed by the next run unless it is cancelled; nobody runs it, so cancelling
// records it CANCELLED at once.
TEST_F(ServiceTest, CancelRunOfAFailedRunRecordsItCancelledAtOnce) {
  write_workflow("failing", "", "{name: a, uses: builtin.fail, with: {permanent: true}}");
  ManualClock clock(utc("2026-11-26 10:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  StartRunResult failed = service.start_run("failing", "test");
  ASSERT_EQ(failed.code, StartRunResult::Code::kStarted) << failed.message;
  ASSERT_TRUE(becomes_final(service, failed.run_id));
  ASSERT_EQ(run_view(service, failed.run_id).value()["status"], "FAILED");
  ASSERT_TRUE(eventually([&] { return service.active_runs() == 0; }));

  CancelRunResult cancelled = service.cancel_run(failed.run_id);
  EXPECT_EQ(cancelled.code, CancelRunResult::Code::kCancelled) << cancelled.message;
  EXPECT_THAT(cancelled.message, ::testing::HasSubstr("was FAILED with no process running it"));
  EXPECT_EQ(run_view(service, failed.run_id).value()["status"], "CANCELLED");
  StartRunResult next = service.start_run("failing", "test");
  ASSERT_EQ(next.code, StartRunResult::Code::kStarted) << next.message;
  EXPECT_NE(next.run_id, failed.run_id);  // a FAILED run would have been resumed
  service.stop();
}

// The value of `series` (a metric name with its labels) in the service's metrics text.
std::optional<std::string> metric(Service& service, const std::string& series) {
  std::string text = service.metrics_text();
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  size_t begin = at + series.size() + 2;
  return text.substr(begin, text.find('\n', begin) - begin);
}

TEST_F(ServiceTest, EveryWorkflowHasLastSuccessAndNextRunSeriesFromStartToRemoval) {
  write_workflow("nightly", "schedule: \"0 2 * * *\"");
  write_workflow("adhoc", "");
  const std::string last = "flowweaver_workflow_last_success_timestamp_seconds{workflow=";
  const std::string next = "flowweaver_workflow_next_run_timestamp_seconds{workflow=";
  std::string succeeded;
  {
    StoppedClock clock(utc("2026-11-26 01:59:30"));
    Service service(config_, log_, clock, notifier_);
    service.start();
    // Before any run: 0 means never, and no schedule.
    EXPECT_EQ(metric(service, last + "\"adhoc\"}"), "0");
    EXPECT_EQ(metric(service, last + "\"nightly\"}"), "0");
    EXPECT_EQ(metric(service, next + "\"adhoc\"}"), "0");
    EXPECT_EQ(metric(service, next + "\"nightly\"}"), "1795658400");  // 2026-11-26 02:00 UTC
    EXPECT_THAT(service.metrics_text(),
                ::testing::HasSubstr("# TYPE flowweaver_workflow_last_success_timestamp_seconds "
                                     "gauge\n"));
    StartRunResult r = service.start_run("adhoc", "test");
    ASSERT_EQ(r.code, StartRunResult::Code::kStarted) << r.message;
    ASSERT_TRUE(becomes_final(service, r.run_id));
    ASSERT_TRUE(eventually([&] { return metric(service, last + "\"adhoc\"}") != "0"; }));
    succeeded = *metric(service, last + "\"adhoc\"}");
    EXPECT_EQ(succeeded, "1795658370");  // the clock's 01:59:30
    service.stop();
  }
  // A restart reads the last success from the state.
  fs::remove(dir_ / "workflows" / "nightly.yaml");
  StoppedClock clock(utc("2026-11-27 08:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  EXPECT_EQ(metric(service, last + "\"adhoc\"}"), succeeded);
  EXPECT_EQ(metric(service, last + "\"nightly\"}"), std::nullopt);  // no longer served
  EXPECT_EQ(metric(service, next + "\"nightly\"}"), std::nullopt);
  service.stop();
}

TEST_F(ServiceTest, TaskLogGivesAnAttemptsLogFromAnOffsetAndSaysWhenItIsOver) {
  write_workflow("quick", "");
  write_workflow("slow", "", "{name: s, uses: builtin.sleep, with: {duration: 1s}}");
  ManualClock clock(utc("2026-11-26 10:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  StartRunResult slow = service.start_run("slow", "test");
  ASSERT_EQ(slow.code, StartRunResult::Code::kStarted) << slow.message;
  ASSERT_TRUE(eventually(
      [&] { return run_view(service, slow.run_id).value()["tasks"][0]["status"] == "RUNNING"; }));
  EXPECT_FALSE(service.task_log(slow.run_id, "s", std::nullopt, 0, 1024).finished);

  StartRunResult r = service.start_run("quick", "test");
  ASSERT_EQ(r.code, StartRunResult::Code::kStarted) << r.message;
  ASSERT_TRUE(becomes_final(service, r.run_id));
  fs::path file = config_.log_dir / "quick" / r.run_id / "a.1.log";
  ASSERT_TRUE(fs::is_directory(file.parent_path()));
  ASSERT_FALSE(fs::exists(file));  // the task logged nothing
  TaskLogChunk silent = service.task_log(r.run_id, "a", std::nullopt, 0, 1024);
  EXPECT_EQ(silent.bytes, "");
  EXPECT_TRUE(silent.finished);
  std::ofstream(file, std::ios::app) << "x\ny\n";
  TaskLogChunk chunk = service.task_log(r.run_id, "a", std::nullopt, 2, 1024);
  EXPECT_EQ(chunk.workflow, "quick");
  EXPECT_EQ(chunk.attempt, 1);
  EXPECT_EQ(chunk.bytes, "y\n");
  EXPECT_EQ(chunk.next_offset, 4u);
  EXPECT_TRUE(chunk.finished);
  EXPECT_FALSE(service.task_log(r.run_id, "a", 1, 0, 2).finished);  // more to read

  auto error_of = [&](const std::string& run, const std::string& task, std::optional<int> n) {
    try {
      service.task_log(run, task, n, 0, 1024);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(error_of("nope", "a", std::nullopt), ::testing::HasSubstr("no run 'nope'"));
  EXPECT_THAT(error_of("../../etc", "a", std::nullopt), ::testing::HasSubstr("no run"));
  EXPECT_THAT(error_of(r.run_id, "b", std::nullopt), ::testing::HasSubstr("no task 'b'"));
  EXPECT_THAT(error_of(r.run_id, "a", 2), ::testing::HasSubstr("has no attempt 2"));
  fs::remove_all(file.parent_path());  // as if the run had no task logs
  EXPECT_THAT(error_of(r.run_id, "a", std::nullopt), ::testing::HasSubstr("no log file"));
  service.stop();
}

}  // namespace
}  // namespace flowweaver

namespace flowweaver {
namespace {

// One pool for every run of the service: two workflows' tasks in a pool of one take turns, the
// metrics show the slot used and the other task waiting, and a manifest naming a pool the
// config does not declare is refused when loaded, naming the pool and the config file.
TEST_F(ServiceTest, APoolIsSharedByEveryRunAndAnUndeclaredPoolIsRefused) {
  config_.pools = {{"warehouse", 1}};
  config_.file = "/etc/flowweaver/serve.yaml";
  const std::string sleeper =
      "{name: a, uses: shell.run, pool: warehouse, with: {command: [sleep, '0.4']}}";
  write_workflow("one", "", sleeper);
  write_workflow("two", "", sleeper);
  write_workflow("three", "", "{name: a, uses: builtin.noop, pool: lake}");
  ManualClock clock(utc("2026-11-26 10:00:00"));
  Service service(config_, log_, clock, notifier_);
  service.start();
  EXPECT_EQ(service.start_run("three", "test").code, StartRunResult::Code::kUnknownWorkflow);
  EXPECT_THAT(log_text(), ::testing::HasSubstr(
                              "three.yaml:4:41: task 'a': pool 'lake' is not declared; declare "
                              "it in /etc/flowweaver/serve.yaml, e.g. pools: {lake: 2}"));
  EXPECT_EQ(metric(service, "flowweaver_pool_slots{pool=\"warehouse\",state=\"free\"}"), "1");
  ASSERT_EQ(service.start_run("one", "test").code, StartRunResult::Code::kStarted);
  ASSERT_EQ(service.start_run("two", "test").code, StartRunResult::Code::kStarted);
  ASSERT_TRUE(eventually([&] {
    return metric(service, "flowweaver_pool_waiting{pool=\"warehouse\"}") == "1" &&
           metric(service, "flowweaver_pool_slots{pool=\"warehouse\",state=\"used\"}") == "1" &&
           metric(service, "flowweaver_pool_slots{pool=\"warehouse\",state=\"free\"}") == "0";
  }));
  ASSERT_TRUE(eventually([&] { return all_finished(service, "one"); }));
  ASSERT_TRUE(eventually([&] { return all_finished(service, "two"); }));
  auto window = [&](const std::string& workflow) {
    nlohmann::json run = runs_view(service, {workflow, 1, std::nullopt})->at(0);
    EXPECT_EQ(run["status"], "COMPLETED");
    nlohmann::json detail = run_view(service, run["run_id"]).value();
    nlohmann::json task = detail["tasks"][0]["attempt_history"][0];
    return std::make_pair(task["started_at"].get<std::string>(),
                          task["finished_at"].get<std::string>());
  };
  auto [one_start, one_end] = window("one");
  auto [two_start, two_end] = window("two");
  EXPECT_TRUE(one_end <= two_start || two_end <= one_start)
      << one_start << "-" << one_end << " / " << two_start << "-" << two_end;
  EXPECT_EQ(metric(service, "flowweaver_pool_slots{pool=\"warehouse\",state=\"used\"}"), "0");
  service.stop();
}

}  // namespace
}  // namespace flowweaver
