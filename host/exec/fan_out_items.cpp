#include "exec/fan_out_items.h"

#include <stdexcept>

namespace flowweaver {

std::vector<FanOutItem> expand_fan_out(const TaskSpec& task, const nlohmann::json& resolved) {
  const FanOut& f = *task.fan_out;
  std::vector<FanOutItem> out;
  if (f.kind == FanOut::Kind::kMatrix) return out;  // TODO(helper): matrix
  if (!resolved.is_array()) {
    std::string what = f.items.is_string() ? f.items.get<std::string>() : "foreach";
    throw std::runtime_error(what + " is not a list: it holds " + resolved.dump().substr(0, 80));
  }
  size_t batch = f.batch_size > 0 ? static_cast<size_t>(f.batch_size) : 0;
  size_t n = batch ? (resolved.size() + batch - 1) / batch : resolved.size();
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    FanOutItem item;
    item.name = task.name + "[" + std::to_string(i) + "]";
    item.index = i;
    if (batch) {
      item.item = nlohmann::json::array();
      for (size_t j = i * batch; j < std::min(resolved.size(), (i + 1) * batch); ++j) {
        item.item.push_back(resolved[j]);
      }
    } else {
      item.item = resolved[i];
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace flowweaver
