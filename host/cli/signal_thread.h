// Signals handled as ordinary code: they are blocked in every thread and received by one
// thread with sigwait, so a handler may lock, log and call into the engine.
#pragma once

#include <functional>
#include <vector>

namespace flowweaver {

// Call before creating any other thread: the mask is inherited by threads created afterwards.
void handle_signals_on_thread(const std::vector<int>& signals, std::function<void(int)> handle);

}  // namespace flowweaver
