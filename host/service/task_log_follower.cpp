#include "service/task_log_follower.h"

#include "http/event_stream.h"
#include "service/service.h"

namespace flowweaver {

namespace {

// A read larger than this is sent over several turns.
constexpr size_t kPieceBytes = 256 * 1024;

}  // namespace

TaskLogFollower::TaskLogFollower(const Service& service, std::chrono::milliseconds interval)
    : service_(service), interval_(interval), thread_([this] { loop(); }) {}

TaskLogFollower::~TaskLogFollower() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  for (Followed& f : followed_) f.events->close();
}

void TaskLogFollower::follow(std::string run_id, std::string task, int attempt, uint64_t offset,
                             std::shared_ptr<EventStream> events) {
  {
    std::lock_guard lock(mutex_);
    followed_.push_back({std::move(run_id), std::move(task), attempt, offset, std::move(events)});
  }
  cv_.notify_all();
}

// The list is taken out of the lock while its logs are read, so follow() never waits for a read.
void TaskLogFollower::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (followed_.empty()) {
      cv_.wait(lock, [this] { return stopping_ || !followed_.empty(); });
      continue;
    }
    std::vector<Followed> turn = std::move(followed_);
    followed_.clear();
    lock.unlock();
    std::vector<Followed> going_on;
    for (Followed& f : turn) {
      if (push_new_lines(f)) going_on.push_back(std::move(f));
    }
    lock.lock();
    for (Followed& f : going_on) followed_.push_back(std::move(f));
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

// Only whole lines are sent while the attempt goes on: an event's data is lines, and a line cut
// in two would reach the client as two.
bool TaskLogFollower::push_new_lines(Followed& f) const {
  if (!f.events->is_open()) return false;
  TaskLogChunk chunk;
  try {
    chunk = service_.task_log(f.run_id, f.task, f.attempt, f.offset, kPieceBytes);
  } catch (const std::exception& e) {
    f.events->send("error", e.what());
    f.events->close();
    return false;
  }
  std::string_view bytes = chunk.bytes;
  if (!chunk.finished) {
    size_t end = bytes.rfind('\n');
    bytes = end == std::string_view::npos ? std::string_view() : bytes.substr(0, end + 1);
  }
  f.offset += bytes.size();
  if (!bytes.empty() && bytes.back() == '\n') bytes.remove_suffix(1);
  if (!bytes.empty() && !f.events->send("log", bytes)) return false;
  if (!chunk.finished) return true;
  f.events->send("end", "attempt " + std::to_string(chunk.attempt) + " is over");
  f.events->close();
  return false;
}

}  // namespace flowweaver
