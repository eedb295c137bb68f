#include "progress/progress_line.h"

namespace flowweaver {

ProgressLine::ProgressLine(TerminalStatus& terminal, size_t num_tasks, Clock& clock)
    : terminal_(terminal), clock_(clock), started_(clock.now()) {
  counts_.total = num_tasks;
  redrawer_ = std::thread([this] { redraw_until_finished(); });
}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::add_done(size_t num_tasks) {
  std::lock_guard<std::mutex> lock(mutex_);
  counts_.done += num_tasks;
}

void ProgressLine::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    finished_ = true;
  }
  cv_.notify_all();
  redrawer_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  terminal_.set_status(text());
  terminal_.finish();
}

void ProgressLine::on_item_added(const TaskItem&) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_.total;
}

void ProgressLine::on_task_started(uint32_t, int) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_.running;
}

void ProgressLine::on_task_finished(uint32_t, int, bool ok, const std::string&, Millis) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (counts_.running > 0) --counts_.running;
  if (ok) ++counts_.done;
}

void ProgressLine::on_task_failed(uint32_t, const std::string&) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_.done;
  ++counts_.failed;
}

void ProgressLine::on_task_skipped(uint32_t, const std::string&) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++counts_.done;
}

void ProgressLine::redraw_until_finished() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!finished_) {
    std::string line = text();
    lock.unlock();
    terminal_.set_status(line);
    lock.lock();
    cv_.wait_for(lock, kRedrawInterval, [this] { return finished_; });
  }
}

std::string ProgressLine::text() {
  return progress_text(counts_, std::chrono::duration_cast<Millis>(clock_.now() - started_));
}

}  // namespace flowweaver
