// Crash consistency, proven end to end: a 300-task DAG whose tasks record every side effect in a
// file (tests/plugins/effects.cpp) is killed with SIGKILL at random moments, 30 times, then
// resumed until it completes; the state and the side effects must then agree exactly.
//
// Every process started is a "generation", numbered from 0, and passes its number to its tasks
// as the `tag` of their effect lines (`${env.CRASH_GENERATION}`, resolved by the host before
// each attempt), so each line says which process ran it. The proof that no task ran again after
// its COMPLETED was recorded has two halves:
//  - Across processes: after each killed process is reaped, the test reads the committed state.
//    A task seen COMPLETED then was recorded COMPLETED by that generation at the latest, so a
//    line of that task from any later generation is a rerun after its COMPLETED was recorded.
//  - Within a process: an effects.append attempt fails only when cancelled (a timeout or
//    SIGINT/SIGTERM, neither of which happens here), so one process runs a task at most once;
//    two lines of one task from one generation are a rerun within that process.
// Two further checks need no bookkeeping: a rerun takes a new attempt number, so no line may
// carry an attempt above the COMPLETED one (numbers may repeat: an attempt whose RUNNING row
// was never committed is started again under the same number, see host/state/SCHEMA.md); and
// no line may be later than the COMPLETED attempt's finished_at. For that one, both clocks are
// CLOCK_REALTIME, the host stamps finished_at after the task's call returned (so after its
// line), and stores it truncated to the millisecond: the completing attempt's line, truncated
// the same way, is at most finished_at's millisecond, while a line written after the commit is
// strictly later than finished_at, and at least in its millisecond. So `line_ms > finished_at`
// is a sound (never falsely reported) test, and the same-millisecond case is left to the
// generation checks, which are exact.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kNumTasks = 300;  // the last one is the gate
constexpr int kNumKills = 30;
constexpr int kMaxFinalRuns = 5;
constexpr const char* kGate = "gate";
constexpr int kWorkerChoices[] = {1, 2, 3, 4, 8, 16};

std::string task_name(int i) {
  char name[8];
  std::snprintf(name, sizeof name, "t%03d", i);
  return name;
}

std::string with_block(const std::string& sleep) {
  return "with: {file: \"${params.effects}\", sleep: " + sleep +
         ", tag: \"${env.CRASH_GENERATION}\"}";
}

// 0 ms, 1-10 ms or 11-30 ms, in about equal thirds.
std::string random_sleep(std::mt19937& rng) {
  int kind = std::uniform_int_distribution<int>(0, 2)(rng);
  int ms = kind == 0   ? 0
           : kind == 1 ? std::uniform_int_distribution<int>(1, 10)(rng)
                       : std::uniform_int_distribution<int>(11, 30)(rng);
  return std::to_string(ms) + "ms";
}

// Upstreams of task i: none (a root), one to three recent tasks (long chains), or a fan-in of
// four to twelve earlier ones; every 25th task is a hub that many later tasks depend on.
std::set<int> random_upstreams(std::mt19937& rng, int i) {
  std::set<int> deps;
  int kind = std::uniform_int_distribution<int>(0, 99)(rng);
  if (i < 3 || kind < 10) return deps;
  bool fan_in = kind >= 85;
  int count = fan_in ? std::uniform_int_distribution<int>(4, 12)(rng)
                     : std::uniform_int_distribution<int>(1, 3)(rng);
  int lowest = fan_in ? 0 : std::max(0, i - 20);
  for (int n = 0; n < count; ++n)
    deps.insert(std::uniform_int_distribution<int>(lowest, i - 1)(rng));
  if (std::uniform_int_distribution<int>(0, 9)(rng) < 3) deps.insert((i - 1) / 25 * 25);
  return deps;
}

std::string list_of(const std::set<int>& tasks) {
  std::string text;
  for (int t : tasks) text += (text.empty() ? "" : ", ") + task_name(t);
  return "[" + text + "]";
}

// The gate depends on every task nothing else depends on and sleeps for
// ${env.CRASH_GATE_SLEEP}: an hour while the test is still killing, so the run cannot complete
// before the last kill, and 0ms afterwards.
std::string make_manifest(std::mt19937& rng, const std::string& effects_file) {
  std::string yaml = "name: crash\nparams:\n  effects: \"" + effects_file + "\"\ntasks:\n";
  std::set<int> sinks;
  for (int i = 0; i + 1 < kNumTasks; ++i) {
    std::set<int> deps = random_upstreams(rng, i);
    for (int d : deps) sinks.erase(d);
    sinks.insert(i);
    yaml += "  - {name: " + task_name(i) + ", uses: effects.append, " +
            with_block(random_sleep(rng)) + (deps.empty() ? "" : ", depends_on: " + list_of(deps)) +
            "}\n";
  }
  yaml += "  - {name: " + std::string(kGate) + ", uses: effects.append, " +
          with_block("\"${env.CRASH_GATE_SLEEP}\"") + ", depends_on: " + list_of(sinks) + "}\n";
  return yaml;
}

// --- The state, read between processes -------------------------------------------------------

struct CompletedTask {
  int attempt = 0;
  std::string finished_at;
};

std::string to_string(const CompletedTask& t) {
  return "COMPLETED attempt " + std::to_string(t.attempt) + " finished " + t.finished_at;
}

struct StateSnapshot {
  std::vector<std::string> run_ids;
  std::map<std::string, CompletedTask> completed;  // by task name
};

// What is committed; empty while the file or its tables do not exist yet.
StateSnapshot read_state(const std::string& db) {
  StateSnapshot s;
  if (!fs::exists(db)) return s;
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  d.setBusyTimeout(5000);
  if (!d.tableExists("runs") || !d.tableExists("tasks")) return s;
  SQLite::Statement runs(d, "SELECT run_id FROM runs");
  while (runs.executeStep()) s.run_ids.push_back(runs.getColumn(0).getString());
  SQLite::Statement tasks(
      d, "SELECT task_name, attempt, finished_at FROM tasks WHERE status = 'COMPLETED'");
  while (tasks.executeStep()) {
    s.completed[tasks.getColumn(0).getString()] = {tasks.getColumn(1).getInt(),
                                                   tasks.getColumn(2).getString()};
  }
  return s;
}

int count_completed(const std::string& db) {
  try {
    std::vector<std::string> n =
        query_column(db, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'");
    return n.empty() ? 0 : std::stoi(n.front());
  } catch (const std::exception&) {
    return 0;  // no file or table yet
  }
}

// --- Killing -----------------------------------------------------------------------------------

bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// When to kill: `delay` after the start, or once `target` tasks are COMPLETED; either way no
// later than `cap` COMPLETED tasks, so that each process finishes only a share of the run and
// the kills land throughout it.
struct KillPlan {
  bool by_time = false;
  milliseconds delay{0};
  int target = 0;
  int cap = 0;
  int max_workers = 1;
};

KillPlan plan_kill(std::mt19937& rng, int completed, int kills_left) {
  KillPlan plan;
  plan.max_workers =
      kWorkerChoices[std::uniform_int_distribution<size_t>(0, std::size(kWorkerChoices) - 1)(rng)];
  int remaining = kNumTasks - 1 - completed;  // the gate does not count: it waits
  plan.cap = completed + std::max(1, 2 * remaining / (kills_left + 1));
  plan.by_time = remaining == 0 || std::uniform_int_distribution<int>(0, 1)(rng) == 0;
  plan.delay = milliseconds(std::uniform_int_distribution<int>(20, 300)(rng));
  plan.target = std::uniform_int_distribution<int>(completed + 1, plan.cap)(rng);
  return plan;
}

std::string describe(const KillPlan& plan) {
  return (plan.by_time ? "after " + std::to_string(plan.delay.count()) + " ms"
                       : "at " + std::to_string(plan.target) + " COMPLETED") +
         " (cap " + std::to_string(plan.cap) + ", --max-workers " +
         std::to_string(plan.max_workers) + ")";
}

// Returns false if the process ended by itself before the plan's moment.
bool wait_for_kill_moment(pid_t pid, const KillPlan& plan, const std::string& db) {
  auto deadline = steady_clock::now() + (plan.by_time ? plan.delay : milliseconds(30000));
  while (steady_clock::now() < deadline) {
    if (has_exited(pid)) return false;
    int completed = count_completed(db);
    if (completed >= plan.cap || (!plan.by_time && completed >= plan.target)) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// --- The side effects --------------------------------------------------------------------------

struct EffectLine {
  std::string text, task;
  int attempt = 0;
  int64_t realtime_ns = 0;
  int generation = -1;
};

// Every line of the effects file; a line that does not parse is reported in `bad`.
std::vector<EffectLine> read_effects(const fs::path& file, std::vector<std::string>* bad) {
  std::vector<EffectLine> lines;
  std::istringstream in(read_file(file));
  std::string text;
  while (std::getline(in, text)) {
    EffectLine line;
    line.text = text;
    std::istringstream fields(text);
    int pid = 0;
    std::string extra;
    if (fields >> line.task >> line.attempt >> pid >> line.realtime_ns >> line.generation &&
        !(fields >> extra)) {
      lines.push_back(line);
    } else {
      bad->push_back("malformed effect line: '" + text + "'");
    }
  }
  return lines;
}

// "2026-11-26T04:22:57.123Z" as milliseconds since the epoch.
int64_t iso_to_ms(const std::string& iso) {
  std::tm tm{};
  int ms = 0;
  std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
              &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return int64_t{timegm(&tm)} * 1000 + ms;
}

struct FinalTask {
  int attempt = 0;  // of the COMPLETED attempt
  int64_t finished_ms = 0;
  std::string result_line;
};

// The COMPLETED attempt of every task, from `attempts` (one row each, checked before).
std::map<std::string, FinalTask> read_final_tasks(const std::string& db) {
  std::map<std::string, FinalTask> tasks;
  SQLite::Database d(db, SQLite::OPEN_READONLY);
  SQLite::Statement q(d,
                      "SELECT a.task_name, a.attempt, a.finished_at, t.result FROM attempts a "
                      "JOIN tasks t USING (run_id, task_name) WHERE a.status = 'COMPLETED'");
  while (q.executeStep()) {
    FinalTask& t = tasks[q.getColumn(0).getString()];
    t.attempt = q.getColumn(1).getInt();
    t.finished_ms = iso_to_ms(q.getColumn(2).getString());
    t.result_line = Json::parse(q.getColumn(3).getString()).value("line", "");
  }
  return tasks;
}

// Every way the effect lines contradict the state; `completed_in[task]` is the first
// generation after which the task was seen COMPLETED.
std::vector<std::string> effect_violations(const std::vector<EffectLine>& lines,
                                           const std::map<std::string, FinalTask>& final_tasks,
                                           const std::map<std::string, int>& completed_in) {
  std::vector<std::string> problems;
  std::set<std::pair<std::string, int>> seen;  // (task, generation)
  std::set<std::string> result_lines_found;
  for (const EffectLine& line : lines) {
    auto final_it = final_tasks.find(line.task);
    if (final_it == final_tasks.end()) {
      problems.push_back("effect of a task with no COMPLETED attempt: " + line.text);
      continue;
    }
    const FinalTask& t = final_it->second;
    if (line.text == t.result_line) result_lines_found.insert(line.task);
    if (!seen.insert({line.task, line.generation}).second) {
      problems.push_back("ran twice in generation " + std::to_string(line.generation) + ": " +
                         line.text);
    }
    auto committed = completed_in.find(line.task);
    if (committed != completed_in.end() && committed->second < line.generation) {
      problems.push_back("ran in generation " + std::to_string(line.generation) +
                         " although COMPLETED was committed in generation " +
                         std::to_string(committed->second) + ": " + line.text);
    }
    if (line.attempt > t.attempt) {
      problems.push_back("attempt after the COMPLETED attempt " + std::to_string(t.attempt) + ": " +
                         line.text);
    }
    if (line.realtime_ns / 1'000'000 > t.finished_ms) {
      problems.push_back("written after the COMPLETED attempt finished (" +
                         std::to_string(t.finished_ms) + " ms): " + line.text);
    }
  }
  for (const auto& [task, t] : final_tasks) {
    if (!result_lines_found.count(task)) {
      problems.push_back(task + ": the side effect of its COMPLETED attempt (" + t.result_line +
                         ") is not in the effects file");
    }
  }
  return problems;
}

std::string first_lines(const std::vector<std::string>& problems, size_t n = 20) {
  std::string text;
  for (size_t i = 0; i < problems.size() && i < n; ++i) text += problems[i] + "\n";
  if (problems.size() > n) text += "... and " + std::to_string(problems.size() - n) + " more\n";
  return text;
}

uint32_t test_seed() {
  const char* fixed = std::getenv("FLOWWEAVER_CRASH_SEED");
  return fixed ? static_cast<uint32_t>(std::stoul(fixed)) : std::random_device{}();
}

// --- The test ----------------------------------------------------------------------------------

class CrashConsistencyTest : public ::testing::Test {
 protected:
  std::vector<std::string> run_args(int max_workers) const {
    return {"run",           "crash.yaml",
            "--plugin-dir",  TEST_PLUGIN_DIR_EFFECTS,
            "--max-workers", std::to_string(max_workers)};
  }

  std::map<std::string, std::string> env(int generation, bool gate_open) const {
    return {{"CRASH_GENERATION", std::to_string(generation)},
            {"CRASH_GATE_SLEEP", gate_open ? "0ms" : "1h"}};
  }

  // Records what a reaped process left committed: which tasks, since when, under which run.
  void take_snapshot(int generation) {
    StateSnapshot now = read_state(db_);
    ASSERT_LE(now.run_ids.size(), 1u) << "a resume started a new run instead";
    if (!now.run_ids.empty()) {
      if (run_id_.empty()) run_id_ = now.run_ids.front();
      ASSERT_EQ(now.run_ids.front(), run_id_) << "the run id changed";
    }
    for (const auto& [task, before] : last_.completed) {
      auto it = now.completed.find(task);
      EXPECT_EQ(it == now.completed.end() ? "not COMPLETED" : to_string(it->second),
                to_string(before))
          << task << ": its COMPLETED record changed after generation " << generation;
    }
    for (const auto& [task, record] : now.completed) completed_in_.emplace(task, generation);
    last_ = std::move(now);
  }

  // One run, COMPLETED; every task COMPLETED with exactly one COMPLETED attempt, the one its
  // row names; a sound file.
  void expect_every_task_completed_once() const {
    EXPECT_EQ(query_column(db_, "SELECT run_id || ' ' || status FROM runs"),
              std::vector<std::string>{run_id_ + " COMPLETED"});
    EXPECT_EQ(query_column(db_, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"),
              std::vector<std::string>{std::to_string(kNumTasks)});
    EXPECT_EQ(query_column(db_,
                           "SELECT task_name FROM tasks GROUP BY task_name HAVING (SELECT "
                           "count(*) FROM attempts a WHERE a.task_name = tasks.task_name AND "
                           "a.status = 'COMPLETED' AND a.attempt = tasks.attempt) != 1"),
              std::vector<std::string>{})
        << "tasks without exactly one COMPLETED attempt, numbered as the task row says";
    EXPECT_EQ(query_column(db_, "SELECT count(*) FROM attempts WHERE status = 'COMPLETED'"),
              std::vector<std::string>{std::to_string(kNumTasks)});
    EXPECT_EQ(query_column(db_, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
  }

  // Every line of the effects file is well-formed and consistent with the state (see the
  // comment at the top).
  void expect_effects_to_match_the_state() const {
    std::vector<std::string> problems;
    std::vector<EffectLine> lines = read_effects(effects_, &problems);
    std::map<std::string, FinalTask> final_tasks = read_final_tasks(db_);
    ASSERT_EQ(final_tasks.size(), static_cast<size_t>(kNumTasks));
    std::vector<std::string> violations = effect_violations(lines, final_tasks, completed_in_);
    problems.insert(problems.end(), violations.begin(), violations.end());
    EXPECT_TRUE(problems.empty()) << first_lines(problems);
    std::cout << lines.size() << " effect lines for " << kNumTasks << " tasks ("
              << static_cast<long>(lines.size()) - kNumTasks
              << " from attempts cut short by a kill)\n";
  }

  TempDir dir_;
  std::string db_ = (dir_.path() / "var" / "crash.db").string();
  fs::path effects_ = dir_.path() / "effects.log";
  std::string run_id_;
  StateSnapshot last_;
  std::map<std::string, int> completed_in_;
};

TEST_F(CrashConsistencyTest, KilledThirtyTimesEveryTaskCompletesOnceAndNeverRunsAgain) {
  uint32_t seed = test_seed();
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (rerun with FLOWWEAVER_CRASH_SEED=" + std::to_string(seed) + ")");
  std::mt19937 rng(seed);
  dir_.write("crash.yaml", make_manifest(rng, effects_.string()));
  auto start = steady_clock::now();

  std::string progress;  // COMPLETED tasks after each kill
  int generation = 0;
  for (; generation < kNumKills; ++generation) {
    KillPlan plan =
        plan_kill(rng, static_cast<int>(last_.completed.size()), kNumKills - generation);
    SCOPED_TRACE("generation " + std::to_string(generation) + ", killed " + describe(plan));
    FlowWeaverProcess p(run_args(plan.max_workers), dir_.path(), env(generation, false));
    bool killed = wait_for_kill_moment(p.pid(), plan, db_);
    p.signal(SIGKILL);
    ProcessResult r = p.wait();
    ASSERT_TRUE(killed && r.exit_code == 128 + SIGKILL)
        << "the run ended by itself with " << r.exit_code << ":\n"
        << r.err;
    ASSERT_NO_FATAL_FAILURE(take_snapshot(generation));
    progress += " " + std::to_string(last_.completed.size());
  }

  int final_runs = 0;
  bool finished = false;
  while (!finished && final_runs < kMaxFinalRuns) {
    ProcessResult r = run_flowweaver(run_args(4), dir_.path(), env(generation, true));
    ASSERT_NO_FATAL_FAILURE(take_snapshot(generation));
    ++final_runs;
    ++generation;
    finished = r.exit_code == 0;
    if (!finished) ADD_FAILURE() << "resume exited " << r.exit_code << ":\n" << r.err;
  }
  double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  std::cout << "seed " << seed << ": " << kNumKills << " kills, " << final_runs << " final run(s), "
            << seconds << " s; COMPLETED after each kill:" << progress << "\n";

  expect_every_task_completed_once();
  expect_effects_to_match_the_state();

  ProcessResult check = run_flowweaver({"check", "--state", db_}, dir_.path());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace flowweaver::testing
