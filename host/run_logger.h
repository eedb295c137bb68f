// Logs every task start, finish, retry and skip with run id, task, attempt and duration, and
// forwards what tasks log through ctx.log. Errors and task messages pass through the run's
// SecretMask first: no secret reaches a log line.
#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "exec/in_process_runner.h"
#include "exec/run_observer.h"
#include "manifest/manifest.h"
#include "util/secret_mask.h"

namespace flowweaver {

// stderr (always the first sink), plus `log_file` when not empty. Throws Error::IO when the file
// cannot be opened. `level`: debug, info (every task start, finish and retry), warn (failures only)
// or error.
std::shared_ptr<spdlog::logger> make_logger(const std::string& log_file, const std::string& level);

class RunLogger : public RunObserver {
 public:
  // `mask` must outlive the logger.
  RunLogger(std::shared_ptr<spdlog::logger> log, const Manifest& manifest, std::string run_id,
            const SecretMask& mask)
      : log_(std::move(log)), manifest_(manifest), run_id_(std::move(run_id)), mask_(mask) {}

  void on_item_added(const TaskItem& item) override;
  void on_task_started(uint32_t task, int attempt) override;
  void on_task_finished(uint32_t task, int attempt, bool ok, const std::string& error,
                        Millis duration) override;
  void on_retry_scheduled(uint32_t task, int next_attempt, Millis delay) override;
  void on_task_failed(uint32_t task, const std::string& error) override;
  void on_task_skipped(uint32_t task, const std::string& reason) override;
  void on_task_abandoned(uint32_t task, int attempt) override;
  void on_idle() override;

  // For InProcessRunner: a task's own messages. Called from worker threads.
  TaskLogSink task_log_sink();

 private:
  // A task's name, or an item's (by its slot).
  const std::string& name(uint32_t task) const {
    return task < manifest_.tasks.size() ? manifest_.tasks[task].name
                                         : item_names_[task - manifest_.tasks.size()];
  }
  TaskLogSink raw_task_log_sink();

  std::shared_ptr<spdlog::logger> log_;
  const Manifest& manifest_;
  std::string run_id_;
  const SecretMask& mask_;
  std::vector<std::string> item_names_;  // by slot, after the manifest's tasks
};

// `sink` with every message masked first: for any writer of task messages.
TaskLogSink masked_task_log_sink(TaskLogSink sink, const SecretMask& mask);

}  // namespace flowweaver
