// Task name -> position in the manifest, for looking names up by the hundred thousand (every
// `depends_on` entry): one flat open-addressing table of positions that compares against the
// manifest's own names, so building it allocates once and copies no strings.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"

namespace flowweaver {

class TaskIndex {
 public:
  static constexpr uint32_t kNotFound = std::numeric_limits<uint32_t>::max();

  // Indexes `tasks`, which must outlive the index and not change. Where names repeat, the
  // first task wins.
  explicit TaskIndex(const std::vector<TaskSpec>& tasks);

  // The position of the first task named `name`, or kNotFound.
  uint32_t find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != kNotFound; }

 private:
  struct Slot {
    uint32_t task = kNotFound;  // kNotFound marks an empty slot
    uint32_t hash = 0;          // high bits of the name's hash, to skip most string compares
  };

  static uint64_t hash_of(std::string_view name);

  const std::vector<TaskSpec>* tasks_;
  std::vector<Slot> slots_;  // a power of two in size, at most half full
};

}  // namespace flowweaver
