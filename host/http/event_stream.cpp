#include "http/event_stream.h"

namespace flowweaver {

namespace {

// The text/event-stream framing of one event; lines end at \n, \r\n or \r.
std::string framed(std::string_view event, std::string_view data) {
  std::string out;
  if (!event.empty()) out.append("event: ").append(event).append("\n");
  size_t begin = 0;
  while (true) {
    size_t end = data.find_first_of("\r\n", begin);
    out.append("data: ").append(data.substr(begin, end - begin)).append("\n");
    if (end == std::string_view::npos) break;
    begin = end + (data.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  return out + "\n";
}

}  // namespace

bool EventStream::send(std::string_view event, std::string_view data) {
  return append(framed(event, data));
}

bool EventStream::send_comment(std::string_view text) {
  return append(": " + std::string(text) + "\n\n");
}

bool EventStream::append(const std::string& bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_ || over_) return false;
  if (pending_.size() + bytes.size() > kMaxPendingBytes) {
    // A client this far behind would hold the memory of everything it has not read.
    over_ = true;
    pending_.clear();
  } else {
    pending_ += bytes;
  }
  if (wake_) wake_();
  return !over_;
}

void EventStream::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) return;
  closed_ = true;
  if (wake_) wake_();
}

bool EventStream::is_open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !closed_ && !over_;
}

void EventStream::attach(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(mutex_);
  wake_ = std::move(wake);
  if (!over_) wake_();
}

std::string EventStream::take_pending(bool* closed) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out.swap(pending_);
  *closed = (closed_ || over_) && out.empty();
  return out;
}

void EventStream::detach() {
  std::lock_guard<std::mutex> lock(mutex_);
  over_ = true;
  wake_ = nullptr;
}

}  // namespace flowweaver
