// Busy-waiting for a short while before blocking. Handing a task to a sleeping thread costs a
// futex wake-up, which on this kind of machine (a paravirtualised VM) takes tens of
// microseconds — longer than a quick task runs. A thread that expects news within that time
// spins for it first, on a core that would otherwise sit idle, and blocks only if none comes.
#pragma once

#include <chrono>
#include <mutex>

namespace flowweaver {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins until `ready()` holds (true) or `budget` has passed (false).
template <class Ready>
bool spin_until(Ready ready, std::chrono::microseconds budget) {
  auto end = std::chrono::steady_clock::now() + budget;
  while (true) {
    for (int i = 0; i < 64; ++i) {
      if (ready()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= end) return ready();
  }
}

// Locks `mutex`, whose holders keep it for a few instructions only: tries for a moment before
// blocking. A thread that blocks on a std::mutex costs a futex wait, and its holder a futex wake
// on unlock, each tens of microseconds here, when the wait itself would have been nanoseconds.
inline std::unique_lock<std::mutex> lock_briefly_held(std::mutex& mutex) {
  for (int i = 0; i < 256; ++i) {
    if (mutex.try_lock()) return std::unique_lock<std::mutex>(mutex, std::adopt_lock);
    cpu_relax();
  }
  return std::unique_lock<std::mutex>(mutex);
}

}  // namespace flowweaver
