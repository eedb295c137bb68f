// What this host's part in the cluster's claims has done since it started, for /health and
// /metrics. Read from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace flowweaver {

struct ClaimCounters {
  std::atomic<uint64_t> num_offered{0};   // attempts of this host's runs handed to the cluster
  std::atomic<uint64_t> num_claimed{0};   // attempts this host claimed (of any host's runs)
  std::atomic<uint64_t> num_finished{0};  // of those, outcomes recorded
  // Outcomes refused because the lease had expired and the attempt was given to another host.
  std::atomic<uint64_t> num_refused{0};
  std::atomic<uint64_t> num_released{0};  // claims given back unfinished (this host stopping)
  // Expired leases of any host that this host's sweeps took back.
  std::atomic<uint64_t> num_taken_back{0};
  std::atomic<int64_t> num_running{0};  // claimed calls running here now
};

}  // namespace flowweaver
