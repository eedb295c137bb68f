#include "cluster/claim_notifications.h"

#include <libpq-fe.h>
#include <sys/select.h>

#include "cluster/claim_queue.h"
#include "state/postgres_connection.h"

namespace flowweaver {
namespace {

// Enough for every done row a host's waiters can miss between two looks.
constexpr size_t kMaxRememberedDone = 65536;
// How often the listening thread looks at `stopping_` while nothing comes.
constexpr Millis kListenSlice{200};

// Waits until `socket` is readable or `timeout` passed.
void wait_readable(int socket, Millis timeout) {
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(socket, &readable);
  timeval tv{0, static_cast<suseconds_t>(timeout.count() * 1000)};
  select(socket + 1, &readable, nullptr, nullptr, &tv);
}

}  // namespace

ClaimNotifications::ClaimNotifications(std::string url, std::shared_ptr<spdlog::logger> log)
    : url_(std::move(url)), log_(std::move(log)) {
  thread_ = std::thread([this] { listen_loop(); });
}

ClaimNotifications::~ClaimNotifications() {
  stopping_ = true;
  wake_all();
  thread_.join();
}

void ClaimNotifications::listen_loop() {
  while (!stopping_) {
    try {
      if (listen_once()) continue;
    } catch (const std::exception& e) {
      log_->warn("cluster: not listening for claims ({}); trying again in a second", e.what());
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++ready_generation_;  // whatever came meanwhile: let the workers look
    }
    cv_.notify_all();
    for (int i = 0; i < 5 && !stopping_; ++i) std::this_thread::sleep_for(kListenSlice);
  }
}

bool ClaimNotifications::listen_once() {
  PgConnection db(url_);
  db.exec("listening for claims", std::string("LISTEN ") + kClaimChannel);
  PGconn* conn = db.raw();
  while (!stopping_) {
    wait_readable(PQsocket(conn), kListenSlice);
    if (PQconsumeInput(conn) != 1) {
      log_->warn("cluster: the claims listener lost its connection to {}; connecting again",
                 db.describe());
      return false;
    }
    while (PGnotify* note = PQnotifies(conn)) {
      std::string payload = note->extra ? note->extra : "";
      PQfreemem(note);
      on_notification(payload);
    }
  }
  return true;
}

void ClaimNotifications::on_notification(const std::string& payload) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (payload == "ready") {
      ++ready_generation_;
    } else if (payload.rfind("done:", 0) == 0) {
      int64_t id = std::strtoll(payload.c_str() + 5, nullptr, 10);
      if (done_.insert(id).second) done_order_.push_back(id);
      while (done_order_.size() > kMaxRememberedDone) {
        done_.erase(done_order_.front());
        done_order_.pop_front();
      }
    }
  }
  cv_.notify_all();
}

uint64_t ClaimNotifications::ready_generation() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ready_generation_;
}

void ClaimNotifications::wait_ready(uint64_t generation, Millis timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return ready_generation_ != generation || stopping_; });
}

bool ClaimNotifications::wait_done(int64_t id, Millis timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, timeout, [&] { return done_.count(id) != 0 || stopping_; });
  return done_.erase(id) != 0;  // its place in done_order_ goes when it is old
}

void ClaimNotifications::wake_all() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++ready_generation_;
  }
  cv_.notify_all();
}

}  // namespace flowweaver
