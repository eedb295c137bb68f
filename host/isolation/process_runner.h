// `isolation: process`: runs each attempt of such a task in a child process (flowweaver-task,
// task_process_main.cpp) that loads the plugin and makes the one call; everything else goes to
// the in-process runner. A plugin that segfaults, aborts, calls exit() or runs out of memory
// fails only that attempt, with the signal or exit code in the error, and is retried per policy.
// A timeout or cancellation sends the child SIGTERM, then SIGKILL after `kill_grace`;
// `memory_limit` caps its address space (RLIMIT_AS).
#pragma once

#include <filesystem>
#include <unordered_map>

#include "exec/in_process_runner.h"

namespace flowweaver {

class ProcessRunner : public TaskRunner {
 public:
  ProcessRunner(const Manifest& manifest, std::vector<TaskTypeRef> types,
                InProcessRunner& in_process, std::filesystem::path helper, Millis kill_grace,
                TaskLogSink log);

  AttemptOutcome run(uint32_t task, int attempt, const TaskItem* item, Cancellation& cancellation,
                     const OutputTable& outputs) override;

 private:
  AttemptOutcome run_in_child(uint32_t task, int attempt, const TaskItem* item,
                              Cancellation& cancellation, const OutputTable& outputs);

  const Manifest& manifest_;
  std::vector<TaskTypeRef> types_;
  InProcessRunner& in_process_;
  std::filesystem::path helper_;
  Millis kill_grace_;
  TaskLogSink log_;
  std::unordered_map<std::string, uint32_t> index_;
};

// The task process executable: $FLOWWEAVER_TASK_HELPER if set, else installed beside the host
// (<prefix>/<libexecdir>/flowweaver/flowweaver-task, found relative to this executable).
std::filesystem::path task_helper_path();

}  // namespace flowweaver
