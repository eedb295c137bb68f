// Hooks around every task, called on the scheduler's thread in the order things happen: the
// home of logging, metrics and progress, so the scheduler itself does none of them.
#pragma once

#include <cstdint>
#include <string>

#include "exec/task_runner.h"
#include "util/clock.h"

namespace flowweaver {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_task_started(uint32_t /*task*/, int /*attempt*/) {}
  // `error` is the final wording recorded for a failed attempt (e.g. "timeout after 30s").
  virtual void on_task_finished(uint32_t /*task*/, int /*attempt*/, bool /*ok*/,
                                const std::string& /*error*/, Millis /*duration*/) {}
  virtual void on_retry_scheduled(uint32_t /*task*/, int /*next_attempt*/, Millis /*delay*/) {}
  virtual void on_task_failed(uint32_t /*task*/, const std::string& /*error*/) {}
  virtual void on_task_skipped(uint32_t /*task*/, const std::string& /*failed_upstream*/) {}
  virtual void on_task_abandoned(uint32_t /*task*/, int /*attempt*/) {}
};

}  // namespace flowweaver
