// status --watch: follows a run that another process (`run` or `serve`) is writing, by reading
// its state read-only a few times a second, and shows its progress: on a terminal the live
// progress line of `flowweaver run`, on a pipe a plain line each time the counts change. Once
// the run is final it prints the run's status as `status` does.
#include "cli/status_watch.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "engine.h"
#include "progress/progress_text.h"
#include "progress/terminal_status.h"
#include "state/state_store.h"
#include "util/error.h"

namespace flowweaver {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(200);

bool is_final(RunStatus status) {
  return status == RunStatus::kCompleted || status == RunStatus::kFailed ||
         status == RunStatus::kInterrupted || status == RunStatus::kCancelled;
}

ProgressCounts count(const std::vector<TaskRecord>& tasks) {
  ProgressCounts counts;
  counts.total = tasks.size();
  for (const TaskRecord& t : tasks) {
    switch (t.status) {
      case TaskStatus::kCompleted:
      case TaskStatus::kSkipped:
        ++counts.done;
        break;
      case TaskStatus::kRunning:
        ++counts.running;
        break;
      case TaskStatus::kFailed:
        if (!t.next_attempt_at) {  // else a retry is due later
          ++counts.done;
          ++counts.failed;
        }
        break;
      case TaskStatus::kPending:
      case TaskStatus::kInterrupted:  // an attempt's status only; no task row holds it
        break;
    }
  }
  return counts;
}

struct Snapshot {
  RunRecord run;
  ProgressCounts counts;
};

// The run as stored now, from a fresh read-only look (another process writes it).
Snapshot read_snapshot(const std::string& state_path, const std::string& run_id) {
  std::unique_ptr<StateStore> store = open_existing_state_store(state_path, Access::kReadOnly);
  std::optional<RunRecord> run = store->find_run(run_id);
  if (!run) throw Error::NotFound("run " + run_id + " is gone from " + state_path);
  return {*run, count(store->load_tasks(run_id))};
}

std::string plain_counts(const ProgressCounts& c) {
  return std::to_string(c.done) + "/" + std::to_string(c.total) + " done, " +
         std::to_string(c.running) + " running, " + std::to_string(c.failed) + " failed";
}

}  // namespace

RunStatus watch_run(const std::string& state_path, const std::string& run_id) {
  std::optional<TerminalStatus> terminal;
  if (TerminalStatus::usable(STDERR_FILENO)) terminal.emplace(STDERR_FILENO);
  std::string last_plain;
  for (;;) {
    Snapshot now = read_snapshot(state_path, run_id);
    Millis elapsed = std::chrono::duration_cast<Millis>(
        now.run.finished_at.value_or(std::chrono::system_clock::now()) - now.run.started_at);
    if (terminal) {
      terminal->set_status(progress_text(now.counts, elapsed));
    } else if (std::string plain = plain_counts(now.counts); plain != last_plain) {
      std::cerr << plain << "\n";  // a pipe: one plain line per change, no redrawing
      last_plain = plain;
    }
    if (is_final(now.run.status)) {
      if (terminal) terminal->finish();
      return now.run.status;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace flowweaver
