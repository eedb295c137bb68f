#include "manifest/task_index.h"

#include <functional>

namespace flowweaver {

TaskIndex::TaskIndex(const std::vector<TaskSpec>& tasks) : tasks_(&tasks) {
  size_t capacity = 2;
  while (capacity < 2 * tasks.size()) capacity *= 2;
  slots_.resize(capacity);
  const size_t mask = capacity - 1;
  for (uint32_t t = 0; t < tasks.size(); ++t) {
    const std::string& name = tasks[t].name;
    uint64_t hash = hash_of(name);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.task == kNotFound) {
        slot = {t, static_cast<uint32_t>(hash >> 32)};
        break;
      }
      if (slot.hash == static_cast<uint32_t>(hash >> 32) && tasks[slot.task].name == name) break;
    }
  }
}

uint32_t TaskIndex::find(std::string_view name) const {
  uint64_t hash = hash_of(name);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.task == kNotFound) return kNotFound;
    if (slot.hash == static_cast<uint32_t>(hash >> 32) && (*tasks_)[slot.task].name == name) {
      return slot.task;
    }
  }
}

uint64_t TaskIndex::hash_of(std::string_view name) { return std::hash<std::string_view>{}(name); }

}  // namespace flowweaver
