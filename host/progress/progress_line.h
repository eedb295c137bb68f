// The live progress line of `flowweaver run` on a terminal: counts tasks from the run's events
// and redraws the line (progress_text.h) on a TerminalStatus a few times a second, from a
// thread of its own so that the elapsed time moves while every task is busy.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "exec/run_observer.h"
#include "progress/progress_text.h"
#include "progress/terminal_status.h"

namespace flowweaver {

class ProgressLine : public RunObserver {
 public:
  // `clock` gives the elapsed time, counted from construction.
  ProgressLine(TerminalStatus& terminal, size_t num_tasks, Clock& clock);
  ~ProgressLine() override;  // finish()es
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Tasks done before this process took the run on (a resumed run).
  void add_done(size_t num_tasks);
  // Draws the line one last time and leaves it printed; stops the redrawing.
  void finish();

  // An item of a foreach or matrix task is one more to do (its task counts as well).
  void on_item_added(const TaskItem& item) override;
  void on_task_started(uint32_t task, int attempt) override;
  void on_task_finished(uint32_t task, int attempt, bool ok, const std::string& error,
                        Millis duration) override;
  void on_task_failed(uint32_t task, const std::string& error) override;
  void on_task_skipped(uint32_t task, const std::string& reason) override;

 private:
  static constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

  void redraw_until_finished();
  std::string text();  // under mutex_

  TerminalStatus& terminal_;
  Clock& clock_;
  TimePoint started_;
  std::mutex mutex_;
  std::condition_variable cv_;
  ProgressCounts counts_;
  bool finished_ = false;
  std::thread redrawer_;
};

}  // namespace flowweaver
