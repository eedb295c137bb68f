// The file backends' writer lock (writer_lock.h): an flock(2) on `<state>.lock`, so the kernel
// releases it when the holder ends, however it ends: a killed holder never blocks the next run.
// The file stays behind; it only holds the last holder's PID, for the message others get.
#pragma once

#include <string>

#include "state/writer_lock.h"

namespace flowweaver {

class StateLock : public WriterLock {
 public:
  // Takes the lock, or throws StateInUse naming the holder's PID when another process holds it.
  explicit StateLock(const std::string& state_path);
  ~StateLock() override;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace flowweaver
