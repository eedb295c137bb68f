// One writer per state: a process that writes a state file holds an exclusive lock on it for as
// long as it has the store open. The lock is an flock(2) on `<state>.lock`, so the kernel
// releases it when the holder ends, however it ends: a killed holder never blocks the next run.
// The file stays behind; it only holds the last holder's PID, for the message others get.
#pragma once

#include <optional>
#include <string>

#include "util/error.h"

namespace flowweaver {

// StateLock's refusal: another process holds the lock. An Error::State like the others, which
// a caller that wants to reach the holder (`flowweaver cancel`) can tell apart.
class StateInUse : public Error {
 public:
  StateInUse(const std::string& message, std::optional<long> holder_pid)
      : Error(ErrorKind::kState, message), holder_pid_(holder_pid) {}
  // As the holder wrote it into the lock file; nothing when it could not be read.
  std::optional<long> holder_pid() const { return holder_pid_; }

 private:
  std::optional<long> holder_pid_;
};

class StateLock {
 public:
  // Takes the lock, or throws StateInUse naming the holder's PID when another process holds it.
  explicit StateLock(const std::string& state_path);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace flowweaver
