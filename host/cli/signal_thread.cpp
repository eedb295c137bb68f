#include "cli/signal_thread.h"

#include <pthread.h>

#include <csignal>
#include <thread>

namespace flowweaver {

void handle_signals_on_thread(const std::vector<int>& signals, std::function<void(int)> handle) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, handle = std::move(handle)] {
    while (true) {
      int signal = 0;
      if (sigwait(&set, &signal) == 0) handle(signal);
    }
  }).detach();
}

}  // namespace flowweaver
