// Busy-waiting for a short while before blocking. Handing a task to a sleeping thread costs a
// futex wake-up, which on this kind of machine (a paravirtualised VM) takes tens of
// microseconds — longer than a quick task runs. A thread that expects news within that time
// spins for it first, on a core that would otherwise sit idle, and blocks only if none comes.
#pragma once

#include <chrono>

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

}  // namespace flowweaver
