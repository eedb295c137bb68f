#include "state/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/error.h"

namespace flowweaver {

namespace {

std::string read_holder(int fd) {
  char text[128] = {};
  ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  std::string holder(text, n > 0 ? static_cast<size_t>(n) : 0);
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
  return holder;
}

std::optional<long> parse_pid(const std::string& text) {
  char* end = nullptr;
  long pid = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || pid <= 0) return std::nullopt;
  return pid;
}

}  // namespace

StateLock::StateLock(const std::string& state_path) {
  std::string lock_path = state_path + ".lock";
  // O_CLOEXEC: processes that tasks spawn must not inherit, and so keep, the lock.
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error::State("cannot open the lock file " + lock_path + ": " + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder = error == EWOULDBLOCK ? read_holder(fd_) : "";
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) {
      throw Error::State("cannot lock " + lock_path + ": " + std::strerror(error));
    }
    throw StateInUse("the state " + state_path + " is in use by another flowweaver process" +
                         (holder.empty() ? "" : " (PID " + holder + ")") +
                         ": a run is active on it; wait for it to end, or stop that process " +
                         "(SIGTERM lets it finish cleanly), then run again",
                     parse_pid(holder));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock is held all the same; only the message others would get loses the PID.
  }
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace flowweaver
