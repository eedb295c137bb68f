// The calls of a foreach or matrix task (manifest.h, FanOut): their row names and values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace flowweaver {

struct FanOutItem {
  std::string name;       // "convert[0]"; matrix: "test[os=debian,version=1]"
  size_t index = 0;       // ${item_index}
  nlohmann::json item;    // ${item}; with batch_size a list; null for a matrix
  nlohmann::json matrix;  // ${matrix.*}; null for a foreach
};

// The calls of fan-out task `task`; `resolved` is its foreach value as resolved (unused for a
// matrix). Throws std::runtime_error when a foreach value is not a list.
std::vector<FanOutItem> expand_fan_out(const TaskSpec& task, const nlohmann::json& resolved);

}  // namespace flowweaver
