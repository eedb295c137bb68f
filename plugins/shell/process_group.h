// Asking the kernel about a process group (Linux: reads /proc).
#pragma once

#include <sys/types.h>

namespace flowweaver {

// Whether any process of group `pgid` is still running. Zombies do not count: once their parent
// is gone they only wait for init to reap them, and some container inits never do.
bool process_group_running(pid_t pgid);

}  // namespace flowweaver
