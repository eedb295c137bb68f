#include "stop_switch.h"

#include "state/cancel_request.h"

namespace flowweaver {

int StopSwitch::signal() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return signal_;
}

bool StopSwitch::cancelled() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cancelled_;
}

// stop_ is called under the lock, so uninstall() guarantees it is not running afterwards.
void StopSwitch::trigger(int signal) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (signal_ == 0) signal_ = signal;
  deliver();
}

void StopSwitch::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  deliver();
}

void StopSwitch::watch_cancel_requests(std::string state_path) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_path_ = std::move(state_path);
}

bool StopSwitch::take_cancel_request() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (state_path_.empty() || run_id_.empty() ||
      !flowweaver::take_cancel_request(state_path_, run_id_)) {
    return false;
  }
  cancelled_ = true;
  deliver();
  return true;
}

void StopSwitch::install(std::function<void(StopReason)> stop, std::string run_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = std::move(stop);
  run_id_ = std::move(run_id);
  deliver();
}

void StopSwitch::uninstall() {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = nullptr;
  run_id_.clear();
}

void StopSwitch::deliver() {
  if (!stop_) return;
  if (cancelled_) {
    stop_(StopReason::kCancel);
  } else if (signal_ != 0) {
    stop_(StopReason::kShutdown);
  }
}

}  // namespace flowweaver
