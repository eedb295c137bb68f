// How `flowweaver cancel` asks the process that holds a state's writer lock (state_lock.h) to
// cancel one run: it writes the run's id to `<state>.cancel`, then sends that process SIGUSR1.
// The holder (a `run`, or the service, which may serve other workflows meanwhile) reads the
// file, and cancels its run only if the id is the one it runs; it deletes the file as it takes
// the request, which is how the sender knows it was heard.
#pragma once

#include <string>

namespace flowweaver {

// Writes the request (replacing any earlier one) by renaming a complete file into place, so a
// reader never sees half an id. Throws Error::State when the file cannot be written.
void write_cancel_request(const std::string& state_path, const std::string& run_id);

// True, and the request deleted, when a request for `run_id` waits beside the state. A request
// for another run is left for its sender to withdraw.
bool take_cancel_request(const std::string& state_path, const std::string& run_id);

// True while a request, for whichever run, waits beside the state.
bool cancel_request_pending(const std::string& state_path);

// Deletes a request nobody took.
void withdraw_cancel_request(const std::string& state_path);

}  // namespace flowweaver
