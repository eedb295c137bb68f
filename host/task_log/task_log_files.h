// Writes each task attempt's own lines (what the task logs through ctx.log, which includes a
// shell command's output as it comes) to its file, task_log_path.h. The run's directory is
// created at once; an attempt's file with its first line, so a task that logs nothing costs
// nothing (creating a file per task on the scheduler's thread made a run of 10,000 quick tasks
// 20 times slower): an attempt without a file in an existing run directory logged nothing.
// Each line is one write(2), unbuffered, so a reader following the file sees it at once. An
// attempt's file is capped: past the cap one last line says so and the rest is dropped.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exec/in_process_runner.h"
#include "exec/run_observer.h"

namespace flowweaver {

constexpr uint64_t kDefaultTaskLogMaxBytes = 10 * 1024 * 1024;

class TaskLogFiles : public RunObserver {
 public:
  // `run_dir` is task_log_run_dir(); `task_names` the manifest's, by task index. Problems with
  // the files (directory not writable, disk full) are reported once on `run_log` and never stop
  // the run: the task logs are a convenience, the state is what counts.
  TaskLogFiles(std::filesystem::path run_dir, std::vector<std::string> task_names,
               uint64_t max_bytes_per_attempt, std::shared_ptr<spdlog::logger> run_log);
  ~TaskLogFiles() override;
  TaskLogFiles(const TaskLogFiles&) = delete;
  TaskLogFiles& operator=(const TaskLogFiles&) = delete;

  void on_task_finished(uint32_t task, int attempt, bool ok, const std::string& error,
                        Millis duration) override;

  // One line of the attempt's log. Thread-safe: tasks log from worker threads. A line for an
  // attempt that already finished (a call that ignored cancellation) is appended all the same.
  void write(uint32_t task, const TaskItem* item, int attempt, fw_log_level level,
             std::string_view message);

 private:
  struct OpenFile {
    int fd = -1;
    uint64_t num_bytes = 0;  // in the file so far
    bool truncated = false;  // the cap was reached and said so
  };
  using Key = std::pair<uint32_t, int>;  // slot (the task's, or its item's), attempt

  // The attempt's open file, opening (creating or appending to) it if needed; nullptr when that
  // failed. Called under mutex_.
  OpenFile* file_for(uint32_t task, const TaskItem* item, int attempt);
  void append(OpenFile& file, const std::string& text);
  void close(const Key& key);
  void report(const std::string& problem);

  std::filesystem::path run_dir_;
  std::vector<std::string> task_names_;
  uint64_t max_bytes_;
  std::shared_ptr<spdlog::logger> run_log_;

  std::mutex mutex_;
  bool dir_created_ = false;  // else the constructor reported why
  bool reported_ = false;
  std::map<Key, OpenFile> open_;
};

// A sink that hands every line to both `first` and `second` (either may be empty).
TaskLogSink both_sinks(TaskLogSink first, TaskLogSink second);

}  // namespace flowweaver
