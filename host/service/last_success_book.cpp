#include "service/last_success_book.h"

#include <chrono>

namespace flowweaver {

double unix_seconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

double LastSuccessBook::seconds(const std::string& workflow) {
  std::optional<TimePoint> last_success = last(workflow);
  return last_success ? unix_seconds(*last_success) : 0;
}

std::optional<TimePoint> LastSuccessBook::last(const std::string& workflow) {
  std::unique_lock<std::mutex> lock(mutex_);
  auto it = known_.find(workflow);
  if (it == known_.end()) {
    lock.unlock();  // reading the state may take a while; record() must not wait for it
    std::optional<TimePoint> stored;
    try {
      stored = read_state_(workflow);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    lock.lock();
    it = known_.emplace(workflow, stored).first;  // a record() meanwhile wins
  }
  return it->second;
}

void LastSuccessBook::record(const std::string& workflow, TimePoint finished) {
  std::lock_guard<std::mutex> lock(mutex_);
  known_[workflow] = finished;
}

}  // namespace flowweaver
