#include "service/run_event_hub.h"

#include <algorithm>

#include "http/event_stream.h"

namespace flowweaver {

void RunEventChannel::drop_closed() {
  listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                  [](const auto& events) { return !events->is_open(); }),
                   listeners_.end());
  num_listeners_.store(listeners_.size(), std::memory_order_release);
}

void RunEventChannel::send(const char* event, const std::string& data) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool some_gone = false;
  for (const auto& events : listeners_) some_gone |= !events->send(event, data);
  if (some_gone) drop_closed();
}

bool RunEventChannel::add(std::shared_ptr<EventStream> events) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (finished_) return false;
  listeners_.push_back(std::move(events));
  num_listeners_.store(listeners_.size(), std::memory_order_release);
  return true;
}

void RunEventChannel::finish(const std::optional<std::string>& run_event) {
  std::lock_guard<std::mutex> lock(mutex_);
  finished_ = true;
  for (const auto& events : listeners_) {
    if (run_event) events->send("run", *run_event);
    events->send("end", "{}");
    events->close();
  }
  listeners_.clear();
  num_listeners_.store(0, std::memory_order_release);
}

void RunEventChannel::send_keep_alive() {
  std::lock_guard<std::mutex> lock(mutex_);
  bool some_gone = false;
  for (const auto& events : listeners_) some_gone |= !events->send_comment("keep-alive");
  if (some_gone) drop_closed();
}

RunEventHub::RunEventHub(std::chrono::milliseconds keep_alive)
    : keep_alive_(keep_alive), thread_([this] { keep_alive_loop(); }) {}

RunEventHub::~RunEventHub() {
  std::map<std::string, std::shared_ptr<RunEventChannel>> channels;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    channels.swap(channels_);
  }
  cv_.notify_all();
  thread_.join();
  for (auto& [run_id, channel] : channels) channel->finish(std::nullopt);
}

std::shared_ptr<RunEventChannel> RunEventHub::open(const std::string& run_id) {
  auto channel = std::make_shared<RunEventChannel>();
  std::lock_guard<std::mutex> lock(mutex_);
  channels_[run_id] = channel;
  return channel;
}

void RunEventHub::finish(const std::string& run_id, const std::optional<std::string>& run_event) {
  std::shared_ptr<RunEventChannel> channel;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = channels_.find(run_id);
    if (it == channels_.end()) return;
    channel = std::move(it->second);
    channels_.erase(it);
  }
  channel->finish(run_event);
}

bool RunEventHub::subscribe(const std::string& run_id, std::shared_ptr<EventStream> events) {
  std::shared_ptr<RunEventChannel> channel;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = channels_.find(run_id);
    if (it == channels_.end()) return false;
    channel = it->second;
  }
  // A run finishing meanwhile refuses it: its final status is stored by then.
  return channel->add(std::move(events));
}

void RunEventHub::keep_alive_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    cv_.wait_for(lock, keep_alive_, [this] { return stopping_; });
    if (stopping_) break;
    std::vector<std::shared_ptr<RunEventChannel>> channels;
    for (const auto& [run_id, channel] : channels_) channels.push_back(channel);
    lock.unlock();
    for (const auto& channel : channels) channel->send_keep_alive();
    lock.lock();
  }
}

}  // namespace flowweaver
