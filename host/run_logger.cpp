#include "run_logger.h"

#include <fcntl.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <unistd.h>

#include "util/buffered_fd_sink.h"
#include "util/error.h"
#include "util/log_format.h"
#include "util/time_format.h"

namespace flowweaver {

std::shared_ptr<spdlog::logger> make_logger(const std::string& log_file, const std::string& level) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<BufferedFdSink>(STDERR_FILENO));
  if (!log_file.empty()) {
    // Task plugins spawn processes: keep the log file's descriptor out of them.
    spdlog::file_event_handlers handlers;
    handlers.after_open = [](const spdlog::filename_t&, std::FILE* file) {
      ::fcntl(::fileno(file), F_SETFD, FD_CLOEXEC);
    };
    try {
      sinks.push_back(
          std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file, false, handlers));
    } catch (const spdlog::spdlog_ex& e) {
      throw Error::IO("cannot open log file " + log_file + ": " + e.what());
    }
  }
  for (auto& sink : sinks) sink->set_formatter(make_log_formatter());
  // Not registered globally: a run owns its logger and nothing outlives it.
  auto logger = std::make_shared<spdlog::logger>("flowweaver", sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(level));
  // Task lines are flushed in batches (RunLogger::on_idle); problems go out at once.
  logger->flush_on(spdlog::level::warn);
  return logger;
}

void RunLogger::on_task_started(uint32_t task, int attempt) {
  log_->info("run={} task={} attempt={} started", run_id_, name(task), attempt);
}

void RunLogger::on_task_finished(uint32_t task, int attempt, bool ok, const std::string& error,
                                 Millis duration) {
  if (ok) {
    log_->info("run={} task={} attempt={} completed duration={}", run_id_, name(task), attempt,
               format_duration(duration));
  } else {
    log_->warn("run={} task={} attempt={} failed duration={} error: {}", run_id_, name(task),
               attempt, format_duration(duration), mask_.mask(error));
  }
}

void RunLogger::on_retry_scheduled(uint32_t task, int next_attempt, Millis delay) {
  log_->info("run={} task={} retry: attempt {} in {}", run_id_, name(task), next_attempt,
             format_duration(delay));
}

void RunLogger::on_task_failed(uint32_t task, const std::string& error) {
  log_->error("run={} task={} FAILED: {}", run_id_, name(task), mask_.mask(error));
}

void RunLogger::on_task_skipped(uint32_t task, const std::string& reason) {
  log_->warn("run={} task={} skipped: {}", run_id_, name(task), mask_.mask(reason));
}

void RunLogger::on_task_abandoned(uint32_t task, int attempt) {
  log_->error("run={} task={} attempt={} ignored cancellation; abandoned on its thread", run_id_,
              name(task), attempt);
}

void RunLogger::on_item_added(const TaskItem& item) {
  // Slots are handed out in order, and a run's resume starts again from the first.
  item_names_.resize(item.slot - manifest_.tasks.size() + 1);
  item_names_.back() = item.name;
}

void RunLogger::on_idle() { log_->flush(); }

TaskLogSink masked_task_log_sink(TaskLogSink sink, const SecretMask& mask) {
  if (mask.empty()) return sink;
  return [sink = std::move(sink), &mask](uint32_t task, const TaskItem* item, int attempt,
                                         fw_log_level level, std::string_view message) {
    sink(task, item, attempt, level, mask.mask(message));
  };
}

TaskLogSink RunLogger::task_log_sink() { return masked_task_log_sink(raw_task_log_sink(), mask_); }

TaskLogSink RunLogger::raw_task_log_sink() {
  return [this](uint32_t task, const TaskItem* item, int attempt, fw_log_level level,
                std::string_view message) {
    static constexpr spdlog::level::level_enum kLevels[] = {
        spdlog::level::debug, spdlog::level::info, spdlog::level::warn, spdlog::level::err};
    auto spd_level = level <= FW_LOG_ERROR ? kLevels[level] : spdlog::level::info;
    log_->log(spd_level, "run={} task={} attempt={}: {}", run_id_,
              item ? item->name : manifest_.tasks[task].name, attempt, message);
    // A long task's progress must not wait in the buffer for the scheduler's next idle moment.
    log_->flush();
  };
}

}  // namespace flowweaver
