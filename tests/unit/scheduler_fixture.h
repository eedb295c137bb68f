// What the scheduler tests share: a fake clock, a scripted runner and a real (temporary) SQLite
// store, and the fixture that runs a manifest through the scheduler with them.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "exec/scheduler.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"
#include "util/error.h"

namespace flowweaver {

// Virtual time: it only moves when the scheduler waits with nothing able to make progress
// (no call in flight that is not merely waiting to be cancelled), and then jumps straight to
// the deadline the scheduler asked for.
class FakeClock : public Clock {
 public:
  explicit FakeClock(std::function<bool()> may_advance) : may_advance_(std::move(may_advance)) {}
  TimePoint now() override { return TimePoint(Millis(now_ms_.load())); }
  void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                  TimePoint deadline) override {
    // Idle twice in a row, with no notification between: a call that just returned has had
    // time to post its event (which notifies) before time may move.
    auto idle = [&] {
      return cv.wait_for(lock, std::chrono::milliseconds(2)) == std::cv_status::timeout &&
             may_advance_();
    };
    if (idle() && idle() && deadline > now()) {
      now_ms_ = std::chrono::duration_cast<Millis>(deadline.time_since_epoch()).count();
    }
  }

 private:
  std::function<bool()> may_advance_;
  std::atomic<long long> now_ms_{1700000000000};
};

// What a scripted task does on each attempt.
// kRetryAfter3s: retryable, asking for at least 3 s before the next attempt (Retry-After).
enum class Step {
  kOk,
  kRetryable,
  kRetryAfter3s,
  kPermanent,
  kBlockUntilCancelled,
  kIgnoreCancellation
};

class ScriptedRunner : public TaskRunner {
 public:
  ScriptedRunner(const Manifest& m, std::map<std::string, std::vector<Step>> script)
      : manifest_(m), script_(std::move(script)) {}

  AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item, Cancellation& cancellation,
                     const OutputTable& outputs) override {
    const std::string& name = item ? item->name : manifest_.tasks[task].name;
    Step step = step_for(name, attempt);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      started_.push_back(name);
      for (const std::string& dep : manifest_.tasks[task].depends_on) {
        inputs_seen_[name] += outputs[index_of(dep)];
      }
    }
    switch (step) {
      case Step::kOk:
        return {AttemptOutcome::Kind::kOk, "\"" + name + "-out\"", ""};
      case Step::kRetryable:
        return {AttemptOutcome::Kind::kRetryable, "", "transient " + std::to_string(attempt)};
      case Step::kRetryAfter3s:
        return {AttemptOutcome::Kind::kRetryable, "", "busy", Millis(3000)};
      case Step::kPermanent:
        return {AttemptOutcome::Kind::kPermanent, "", "fatal"};
      case Step::kBlockUntilCancelled: {
        {
          std::lock_guard<std::mutex> lock(mutex_);
          waiters_.insert(&cancellation);
        }
        while (!cancellation.wait_for(Millis(50))) {
        }
        std::lock_guard<std::mutex> lock(mutex_);
        waiters_.erase(&cancellation);
        return {AttemptOutcome::Kind::kRetryable, "", "cancelled"};
      }
      case Step::kIgnoreCancellation: {
        ++ignoring_;
        std::unique_lock<std::mutex> lock(release_mutex_);
        release_cv_.wait(lock, [&] { return released_; });
        --ignoring_;
        return {AttemptOutcome::Kind::kOk, "\"late\"", ""};
      }
    }
    return {};
  }

  // Lets kIgnoreCancellation calls return, and waits until they have.
  void release_and_drain() {
    {
      std::lock_guard<std::mutex> lock(release_mutex_);
      released_ = true;
    }
    release_cv_.notify_all();
    // in_flight drops as CountingRunner::run returns, after its last use of either runner; the
    // worker then posts its (ignored) event to what the scheduler shares with it, which outlives
    // this test. A fixed sleep instead let it race with the runners' destruction (TSan).
    while (in_flight > 0) std::this_thread::sleep_for(Millis(1));
  }

  // True when every call in flight is idle: waiting for a cancellation that has not come yet,
  // or ignoring one. A call already cancelled is about to return, so time must not move.
  bool only_waiting_calls(int in_flight) {
    std::lock_guard<std::mutex> lock(mutex_);
    int idle = ignoring_;
    for (Cancellation* c : waiters_) idle += c->cancelled() ? 0 : 1;
    return in_flight == idle;
  }
  std::vector<std::string> started() {
    std::lock_guard<std::mutex> lock(mutex_);
    return started_;
  }
  std::string inputs_seen(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    return inputs_seen_[name];
  }
  std::atomic<int> in_flight{0};

 private:
  Step step_for(const std::string& name, int attempt) {
    auto it = script_.find(name);
    if (it == script_.end() || it->second.empty()) return Step::kOk;
    size_t i = std::min<size_t>(attempt - 1, it->second.size() - 1);
    return it->second[i];
  }
  uint32_t index_of(const std::string& name) const {
    for (uint32_t i = 0; i < manifest_.tasks.size(); ++i) {
      if (manifest_.tasks[i].name == name) return i;
    }
    return 0;
  }

  const Manifest& manifest_;
  std::map<std::string, std::vector<Step>> script_;
  std::mutex mutex_;
  std::vector<std::string> started_;
  std::map<std::string, std::string> inputs_seen_;
  std::set<Cancellation*> waiters_;
  std::atomic<int> ignoring_{0};
  std::mutex release_mutex_;
  std::condition_variable release_cv_;
  bool released_ = false;
};

// Counts calls in flight around the scripted runner, for the fake clock.
class CountingRunner : public TaskRunner {
 public:
  using Hook = std::function<void(const std::string& task, int attempt)>;
  CountingRunner(ScriptedRunner& inner, const Manifest& m, Hook before_call)
      : inner_(inner), manifest_(m), before_call_(std::move(before_call)) {}
  AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item, Cancellation& c,
                     const OutputTable& o) override {
    if (before_call_) before_call_(manifest_.tasks[task].name, attempt);
    ++inner_.in_flight;
    AttemptOutcome out = inner_.run(task, attempt, item, c, o);
    --inner_.in_flight;
    return out;
  }

 private:
  ScriptedRunner& inner_;
  const Manifest& manifest_;
  Hook before_call_;
};

// The calls the scheduler has handed out and not yet seen end (each ends in exactly one
// on_task_finished, abandoned ones too), and those it abandoned, which stay in run().
class CallCounter : public RunObserver {
 public:
  void reset() { outstanding_ = abandoned_ = most_items_ = 0; }
  int outstanding() const { return outstanding_; }
  int abandoned() const { return abandoned_; }
  // The most items that were running at once.
  int most_items_at_once() const { return most_items_; }
  // `task` has a fan-out: its own start and end are no call (its items' are).
  void not_a_call(uint32_t task) { fan_outs_.insert(task); }
  void on_item_added(const TaskItem& item) override { items_.insert(item.slot); }
  void on_task_started(uint32_t task, int) override {
    if (fan_outs_.count(task)) return;
    ++outstanding_;
    if (items_.count(task)) most_items_ = std::max(most_items_, ++items_running_);
  }
  void on_task_finished(uint32_t task, int, bool, const std::string&, Millis) override {
    if (fan_outs_.count(task)) return;
    --outstanding_;
    if (items_.count(task)) --items_running_;
  }
  void on_task_abandoned(uint32_t, int) override { ++abandoned_; }

 private:
  // Changed and read on the scheduler's thread only (the fake clock waits on it).
  int outstanding_ = 0;
  int abandoned_ = 0;
  std::set<uint32_t> fan_outs_, items_;
  int items_running_ = 0, most_items_ = 0;
};

// A store that can be told to fail, and that logs what each commit contained.
class ObservedStore : public StateStore {
 public:
  explicit ObservedStore(std::unique_ptr<StateStore> inner) : inner_(std::move(inner)) {}
  std::optional<RunRecord> latest_run(const std::string& w) override {
    return inner_->latest_run(w);
  }
  std::optional<RunRecord> find_run(const std::string& id) override { return inner_->find_run(id); }
  std::vector<RunRecord> list_runs(const std::string& w, size_t n) override {
    return inner_->list_runs(w, n);
  }
  void create_run(const RunRecord& r, const std::vector<TaskRecord>& t) override {
    inner_->create_run(r, t);
  }
  void update_run(const RunRecord& r) override { inner_->update_run(r); }
  std::vector<TaskRecord> load_tasks(const std::string& id) override {
    return inner_->load_tasks(id);
  }
  std::vector<AttemptRecord> load_attempts(const std::string& id) override {
    return inner_->load_attempts(id);
  }
  void apply(const std::string& id, const std::vector<TaskUpdate>& updates) override {
    if (fail_from_commit > 0 && num_commits + 1 >= fail_from_commit) {
      throw Error::State("disk full (injected)");
    }
    inner_->apply(id, updates);
    std::lock_guard<std::mutex> lock(mutex);
    ++num_commits;
    for (const TaskUpdate& u : updates) {
      if (u.task.status == TaskStatus::kCompleted)
        committed_completions.push_back(u.task.task_name);
      if (u.task.status == TaskStatus::kRunning) {
        committed_running.insert(u.task.task_name + "#" + std::to_string(u.task.attempt));
      }
    }
  }
  std::string describe() const override { return inner_->describe(); }

  int fail_from_commit = 0;  // 0: never
  int num_commits = 0;
  std::mutex mutex;
  std::vector<std::string> committed_completions;
  std::set<std::string> committed_running;  // "task#attempt"

 private:
  std::unique_ptr<StateStore> inner_;
};

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("fw-sched-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
  }
  ~SchedulerTest() override { std::filesystem::remove_all(dir_); }

  void load(const std::string& yaml) {
    DiagnosticList d("wf.yaml");
    manifest_ = parse_manifest(yaml, "wf.yaml", &d);
    ASSERT_TRUE(d.empty()) << d.to_string();
    dag_ = std::make_unique<Dag>(build_dag(manifest_));
    store_ = std::make_unique<ObservedStore>(
        open_state_store((dir_ / "s.db").string(), Durability::kNormal));
  }

  std::vector<TaskRecord> fresh_records() {
    std::vector<TaskRecord> records;
    for (size_t i = 0; i < manifest_.tasks.size(); ++i) {
      TaskRecord r;
      r.task_name = manifest_.tasks[i].name;
      r.position = static_cast<int>(i);
      r.timestamp = clock_->now();
      records.push_back(r);
    }
    store_->create_run(
        {"run1", manifest_.name, RunStatus::kRunning, clock_->now(), std::nullopt, "h"}, records);
    return records;
  }

  SchedulerResult run(std::map<std::string, std::vector<Step>> script, int max_workers = 1,
                      std::optional<std::vector<TaskRecord>> initial = std::nullopt,
                      std::function<void(Scheduler&)> during = nullptr, bool stop_first = false) {
    scripted_ = std::make_unique<ScriptedRunner>(manifest_, std::move(script));
    counting_ = std::make_unique<CountingRunner>(*scripted_, manifest_, before_call_);
    calls_.reset();
    clock_ = std::make_unique<FakeClock>([this, max_workers] {
      // A call handed to a free worker but not yet in run() (a slow thread start, easily seen
      // on a loaded machine or under TSan), or back from run() with its event not yet seen,
      // may still act: time must not move before it has.
      if (freeze_time_) return false;
      int in_flight = scripted_->in_flight.load();
      int running = in_flight - calls_.abandoned();
      return running >= std::min(calls_.outstanding(), max_workers) &&
             scripted_->only_waiting_calls(in_flight);
    });
    std::vector<TaskRecord> records = initial ? *initial : fresh_records();
    SchedulerOptions options;
    options.max_workers = max_workers;
    options.grace_period = Millis(5000);
    options.random_unit = [] { return 0.0; };
    options.drain_period = drain_period_;
    options.crash_marker = crash_marker_;
    options.condition = condition_;
    options.pools = pools_;
    options.list_items = list_items_;
    options.on_handlers_start = [this](RunStatus status, const std::vector<std::string>& failed) {
      handlers_saw_ = std::string(to_string(status)) + ":";
      for (const std::string& f : failed) handlers_saw_ += f + ",";
    };
    Scheduler scheduler(manifest_, *dag_, *counting_, *store_, *clock_, calls_, options);
    if (stop_first) scheduler.request_stop();
    std::thread helper;
    if (during) helper = std::thread([&] { during(scheduler); });
    SchedulerResult result = scheduler.run("run1", std::move(records));
    if (helper.joinable()) helper.join();
    return result;
  }

  const TaskRecord& task(const SchedulerResult& r, const std::string& name) {
    for (const TaskRecord& t : r.tasks) {
      if (t.task_name == name) return t;
    }
    throw std::runtime_error("no task " + name);
  }

  std::filesystem::path dir_;
  Manifest manifest_;
  std::unique_ptr<Dag> dag_;
  std::unique_ptr<ObservedStore> store_;
  std::unique_ptr<ScriptedRunner> scripted_;
  std::unique_ptr<CountingRunner> counting_;
  std::unique_ptr<FakeClock> clock_ = std::make_unique<FakeClock>([] { return true; });
  CallCounter calls_;
  Millis drain_period_{0};
  CountingRunner::Hook before_call_;
  std::string crash_marker_;
  ConditionCheck condition_;
  std::shared_ptr<PoolSlots> pools_;
  std::function<std::vector<TaskItem>(uint32_t, const OutputTable&)> list_items_;
  // Set by a test that asks for a stop from another thread: the clock may not jump ahead
  // between the request and the scheduler's seeing it (a wake-up that comes as the fake wait
  // times out would otherwise let a day pass).
  std::atomic<bool> freeze_time_{false};
  std::string handlers_saw_;  // what on_handlers_start was told: "STATUS:failed,tasks,"
};

}  // namespace flowweaver
