// How a run is stopped from outside its thread: by a signal, or by a cancel request.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "exec/scheduler.h"

namespace flowweaver {

// Lets a signal-handling thread stop the run: the engine installs its stop function, and a
// signal or cancel that came before that is delivered on installation.
class StopSwitch {
 public:
  // Returns the signal number that stopped the run, or 0.
  int signal() const;
  bool cancelled() const;
  // Stops the run to be resumed later (INTERRUPTED).
  void trigger(int signal);
  // Stops the run for good (CANCELLED).
  void cancel();
  // Where cancel requests for this run arrive (state/cancel_request.h): set by whoever opens
  // the state, before the run starts.
  void watch_cancel_requests(std::string state_path);
  // Cancels the run if a cancel request for it waits beside its state; true if so. Nothing
  // before the run is installed (its id is not known yet: the sender signals again).
  bool take_cancel_request();
  // `run_id`: the run `stop` stops, which cancel requests must name.
  void install(std::function<void(StopReason)> stop, std::string run_id);
  void uninstall();

 private:
  void deliver();  // under mutex_

  mutable std::mutex mutex_;
  int signal_ = 0;
  bool cancelled_ = false;
  std::string state_path_, run_id_;
  std::function<void(StopReason)> stop_;
};

}  // namespace flowweaver
