#include "exec/state_writer.h"

#include <exception>
#include <utility>

namespace flowweaver {

StateWriter::StateWriter(StateStore& store, std::string run_id)
    : store_(store), run_id_(std::move(run_id)) {}

StateWriter::~StateWriter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StateWriter::write_later(std::vector<TaskUpdate> batch) {
  if (batch.empty()) return;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return queue_.size() < kMaxQueued; });
    queue_.push_back(std::move(batch));
    if (!thread_.joinable()) thread_ = std::thread([this] { write_queued(); });
  }
  cv_.notify_all();
}

std::optional<std::string> StateWriter::write_now(std::vector<TaskUpdate> batch, bool awaited) {
  std::unique_lock<std::mutex> lock(mutex_);
  // Batches commit in order: let the thread finish the ones before this one.
  cv_.wait(lock, [&] { return queue_.empty() && !writing_; });
  if (!batch.empty() && !error_) record(try_apply(batch, awaited));
  return error_;
}

std::optional<std::string> StateWriter::error() const {
  // Asked once per scheduler turn: no lock while all is well.
  if (!failed_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

void StateWriter::write_queued() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    std::vector<TaskUpdate> batch = std::move(queue_.front());
    queue_.pop_front();
    for (; !queue_.empty(); queue_.pop_front()) {
      batch.insert(batch.end(), std::make_move_iterator(queue_.front().begin()),
                   std::make_move_iterator(queue_.front().end()));
    }
    writing_ = true;
    bool failed_before = error_.has_value();
    lock.unlock();
    cv_.notify_all();  // a write_later() waiting for room in the queue
    // The store is only ever called with mutex_ held or while writing_ keeps write_now() out.
    std::optional<std::string> failure;
    if (!failed_before) failure = try_apply(batch, /*awaited=*/false);
    lock.lock();
    record(std::move(failure));
    writing_ = false;
    cv_.notify_all();
  }
}

std::optional<std::string> StateWriter::try_apply(const std::vector<TaskUpdate>& batch,
                                                  bool awaited) {
  try {
    if (awaited) {
      store_.apply_awaited(run_id_, batch);
    } else {
      store_.apply(run_id_, batch);
    }
    return std::nullopt;
  } catch (const std::exception& e) {
    return e.what();
  }
}

void StateWriter::record(std::optional<std::string> failure) {
  if (!failure || error_) return;
  error_ = std::move(failure);
  failed_.store(true, std::memory_order_release);
}

}  // namespace flowweaver
