#include "run_id.h"

#include <cstdio>

#include "util/error.h"
#include "util/time_format.h"

namespace flowweaver {

namespace {

constexpr uint32_t kSuffixValues = 1u << 24;  // six hex digits

// 2026-11-26T04:22:57.123Z -> 20261126T042257123: only characters safe in any file name.
std::string compact_time(TimePoint t) {
  std::string compact;
  for (char c : format_timestamp(t)) {
    if (c != '-' && c != ':' && c != '.' && c != 'Z') compact += c;
  }
  return compact;
}

std::string with_suffix(const std::string& prefix, uint32_t suffix) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "%06x", suffix % kSuffixValues);
  return prefix + "-" + hex;
}

}  // namespace

std::string new_run_id(StateStore& store, TimePoint started, uint32_t random_start) {
  std::string prefix = compact_time(started);
  // Bounded: each step tries a suffix not tried before.
  for (uint32_t step = 0; step < kSuffixValues; ++step) {
    std::string id = with_suffix(prefix, random_start + step);
    if (!store.find_run(id)) return id;
  }
  throw Error::State("cannot start a run in " + store.describe() + ": all " +
                     std::to_string(kSuffixValues) + " run ids of " + format_timestamp(started) +
                     " are taken");
}

}  // namespace flowweaver
