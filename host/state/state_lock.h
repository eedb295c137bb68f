// One writer per state: a process that writes a state file holds an exclusive lock on it for as
// long as it has the store open. The lock is an flock(2) on `<state>.lock`, so the kernel
// releases it when the holder ends, however it ends: a killed holder never blocks the next run.
// The file stays behind; it only holds the last holder's PID, for the message others get.
#pragma once

#include <string>

namespace flowweaver {

class StateLock {
 public:
  // Takes the lock, or throws Error::State naming the holder's PID when another process holds it.
  explicit StateLock(const std::string& state_path);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace flowweaver
