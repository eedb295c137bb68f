#include "exec/commit_gate.h"

#include "exec/state_writer.h"

namespace flowweaver {

CommitGate::CommitGate(StateStore& store, std::string run_id, size_t num_tasks)
    : writer_(std::make_unique<StateWriter>(store, std::move(run_id))), gated_(num_tasks, 0) {}

CommitGate::~CommitGate() = default;

void CommitGate::stage(TaskUpdate update, TimePoint now) {
  if (staged_.empty()) oldest_staged_ = now;
  staged_.push_back(std::move(update));
}

void CommitGate::gate(uint32_t task) {
  if (gated_[task]) return;
  gated_[task] = 1;
  gated_list_.push_back(task);
}

std::optional<std::string> CommitGate::commit(bool awaited) {
  std::optional<std::string> error;
  // After a failure nothing more is written: without durable state there is no safe way on.
  if (!failed_) error = writer_->write_now(std::move(staged_), awaited);
  staged_.clear();
  oldest_staged_.reset();
  if (error) failed_ = true;
  if (failed_) return error ? error : writer_->error();
  for (uint32_t t : gated_list_) gated_[t] = 0;
  gated_list_.clear();
  start_awaits_ = false;
  return std::nullopt;
}

void CommitGate::commit_in_background() {
  // A task that comes to wait for these changes calls commit(), which waits for the writer.
  if (!failed_) writer_->write_later(std::move(staged_));
  staged_.clear();
  oldest_staged_.reset();
}

bool CommitGate::due(TimePoint now) const {
  return staged_.size() >= kFlushBatch || (oldest_staged_ && now - *oldest_staged_ >= kFlushDelay);
}

std::optional<TimePoint> CommitGate::due_at() const {
  if (!oldest_staged_) return std::nullopt;
  return *oldest_staged_ + kFlushDelay;
}

std::optional<std::string> CommitGate::writer_error() const {
  return writer_ ? writer_->error() : std::nullopt;
}

void CommitGate::close() { writer_.reset(); }

}  // namespace flowweaver
