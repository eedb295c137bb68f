// The calls a `foreach:` or `matrix:` task makes (workflows/FORMAT.md, "foreach and matrix"):
// one per item, per batch of items, or per combination, each run as a durable row of its own.
// Pure: it decides names and values; the scheduler runs them.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace flowweaver {

struct FanOutItem {
  // The item's row: "convert[0]"; a matrix's "test[os=debian,version=1]" (axes in written
  // order; a string value as is, others as JSON text).
  std::string name;
  size_t index = 0;       // ${item_index}: the item's (the batch's) position
  nlohmann::json item;    // ${item}: the value; with batch_size a list of up to that many; null
                          // for a matrix
  nlohmann::json matrix;  // ${matrix.*}: the combination as an object by axis; null for foreach
};

// The calls of fan-out task `task` (which must have a fan_out), in order. `resolved`: the
// foreach value as resolved (the literal list, or what its reference gave); unused for a
// matrix. Throws std::runtime_error when a foreach value is not a list: "<the reference as
// written> is not a list: it holds <the start of its JSON text>".
std::vector<FanOutItem> expand_fan_out(const TaskSpec& task, const nlohmann::json& resolved);

}  // namespace flowweaver
