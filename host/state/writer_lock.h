// One writer per state: whoever writes a state holds its writer lock for as long as it has the
// store open (open_state_store() takes it). How the lock is held is the backend's own: the
// file backends lock a file beside the state (state_lock.h); a database would lock a row. What
// every backend guarantees: the lock goes when its holder ends, however it ends, so a killed
// holder never blocks the next writer.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "state/state_location.h"
#include "util/error.h"

namespace flowweaver {

// The refusal: another process holds the lock. An Error::State like the others, which a caller
// that wants to reach the holder (`flowweaver cancel`) can tell apart.
class StateInUse : public Error {
 public:
  StateInUse(const std::string& message, std::optional<long> holder_pid)
      : Error(ErrorKind::kState, message), holder_pid_(holder_pid) {}
  // The holder's PID as the backend knows it; nothing when it could not be learnt.
  std::optional<long> holder_pid() const { return holder_pid_; }

 private:
  std::optional<long> holder_pid_;
};

// Held from construction until destruction.
class WriterLock {
 public:
  virtual ~WriterLock() = default;
};

// Takes the writer lock of the state at `location`, or throws StateInUse naming the holder when
// another process holds it (Error::State when the lock cannot be taken at all).
std::unique_ptr<WriterLock> acquire_writer_lock(const StateLocation& location);

}  // namespace flowweaver
