// One call of a `foreach:` or `matrix:` task (manifest.h, FanOut), as exec/fan_out_items.h
// lists it: the scheduler gives each a slot of its own after the manifest's tasks, a durable row
// named `convert[3]` or `test[os=debian,version=1]`, and hands it to the runner with every
// attempt, so that `${item}`, `${item_index}` and `${matrix.NAME}` resolve to its values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace flowweaver {

struct TaskItem {
  uint32_t task = 0;      // its foreach or matrix task, in the manifest
  uint32_t slot = 0;      // the scheduler's number for it: never below the manifest's task count
  std::string name;       // its row's task_name
  size_t index = 0;       // ${item_index}
  nlohmann::json value;   // ${item}: the item, or with batch_size a list of them; null for a matrix
  nlohmann::json matrix;  // ${matrix.NAME}: the combination; null for a foreach
};

}  // namespace flowweaver
