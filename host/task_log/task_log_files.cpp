#include "task_log/task_log_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include "task_log/task_log_line.h"

namespace flowweaver {

TaskLogFiles::TaskLogFiles(std::filesystem::path run_dir, std::vector<std::string> task_names,
                           uint64_t max_bytes_per_attempt, std::shared_ptr<spdlog::logger> run_log)
    : run_dir_(std::move(run_dir)),
      task_names_(std::move(task_names)),
      max_bytes_(max_bytes_per_attempt),
      run_log_(std::move(run_log)) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir_, ec);
  if (ec) {
    report("cannot create " + run_dir_.string() + ": " + ec.message());
  } else {
    dir_created_ = true;
  }
}

TaskLogFiles::~TaskLogFiles() {
  for (auto& [key, file] : open_) ::close(file.fd);
}

void TaskLogFiles::on_task_finished(uint32_t task, int attempt, bool, const std::string&, Millis) {
  std::lock_guard<std::mutex> lock(mutex_);
  close({task, attempt});
}

void TaskLogFiles::write(uint32_t task, const TaskItem* item, int attempt, fw_log_level level,
                         std::string_view message) {
  std::string line = format_task_log_line(std::chrono::system_clock::now(), level, message);
  std::lock_guard<std::mutex> lock(mutex_);
  OpenFile* file = file_for(task, item, attempt);
  if (!file || file->truncated) return;
  if (file->num_bytes + line.size() > max_bytes_) {
    file->truncated = true;
    line = format_task_log_line(std::chrono::system_clock::now(), FW_LOG_WARN,
                                "log truncated at " + std::to_string(file->num_bytes) +
                                    " bytes: the attempt's further lines are dropped");
  }
  append(*file, line);
}

TaskLogFiles::OpenFile* TaskLogFiles::file_for(uint32_t task, const TaskItem* item, int attempt) {
  uint32_t slot = item ? item->slot : task;
  auto it = open_.find({slot, attempt});
  if (it != open_.end()) return &it->second;
  if (!dir_created_ || task >= task_names_.size()) return nullptr;
  const std::string& name = item ? item->name : task_names_[task];
  std::filesystem::path path = run_dir_ / (name + "." + std::to_string(attempt) + ".log");
  // O_CLOEXEC: tasks spawn processes, which must not inherit our log files.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    report("cannot open " + path.string() + ": " + std::strerror(errno));
    return nullptr;
  }
  OpenFile file;
  file.fd = fd;
  struct stat st {};
  if (::fstat(fd, &st) == 0) file.num_bytes = static_cast<uint64_t>(st.st_size);
  file.truncated = file.num_bytes >= max_bytes_;
  return &open_.emplace(Key{slot, attempt}, file).first->second;
}

void TaskLogFiles::append(OpenFile& file, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(file.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      report("cannot write a task log: " + std::string(std::strerror(errno)));
      file.truncated = true;  // stop trying for this attempt
      return;
    }
    done += static_cast<size_t>(n);
  }
  file.num_bytes += done;
}

void TaskLogFiles::close(const Key& key) {
  auto it = open_.find(key);
  if (it == open_.end()) return;
  ::close(it->second.fd);
  open_.erase(it);
}

void TaskLogFiles::report(const std::string& problem) {
  if (reported_) return;
  reported_ = true;
  run_log_->warn("task logs: {} (the run goes on without them)", problem);
}

TaskLogSink both_sinks(TaskLogSink first, TaskLogSink second) {
  if (!first) return second;
  if (!second) return first;
  return [first = std::move(first), second = std::move(second)](uint32_t task, const TaskItem* item,
                                                                int attempt, fw_log_level level,
                                                                std::string_view message) {
    first(task, item, attempt, level, message);
    second(task, item, attempt, level, message);
  };
}

}  // namespace flowweaver
