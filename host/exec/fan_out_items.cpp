#include "exec/fan_out_items.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "manifest/matrix_combinations.h"

namespace flowweaver {
namespace {

// How much of a value that is not a list an error quotes: enough to recognise it.
constexpr size_t kQuotedChars = 80;

std::string start_of_json(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() <= kQuotedChars) return text;
  return text.substr(0, kQuotedChars) + "...";
}

std::string item_name(const std::string& task, size_t index) {
  return task + "[" + std::to_string(index) + "]";
}

std::vector<TaskItem> expand_foreach(const TaskSpec& task, const nlohmann::json& list) {
  if (!list.is_array()) {
    const Json& written = task.fan_out->items;
    std::string what = written.is_string() ? written.get<std::string>() : "the `foreach` value";
    throw std::runtime_error(what + " is not a list: it holds " + start_of_json(list));
  }
  size_t batch_size = static_cast<size_t>(task.fan_out->batch_size);
  std::vector<TaskItem> items;
  if (batch_size == 0) {
    items.resize(list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      items[i].name = item_name(task.name, i);
      items[i].index = i;
      items[i].value = list[i];
    }
    return items;
  }
  items.resize((list.size() + batch_size - 1) / batch_size);
  for (size_t b = 0; b < items.size(); ++b) {
    items[b].name = item_name(task.name, b);
    items[b].index = b;
    items[b].value = nlohmann::json::array();
    size_t end = std::min(list.size(), (b + 1) * batch_size);
    for (size_t i = b * batch_size; i < end; ++i) items[b].value.push_back(list[i]);
  }
  return items;
}

std::vector<TaskItem> expand_matrix(const TaskSpec& task) {
  const FanOut& matrix = *task.fan_out;
  std::vector<std::vector<size_t>> combinations = matrix_combinations(matrix);
  std::vector<TaskItem> items(combinations.size());
  for (size_t c = 0; c < combinations.size(); ++c) {
    TaskItem& item = items[c];
    item.index = c;
    item.matrix = nlohmann::json::object();
    item.name = task.name + "[";
    for (size_t a = 0; a < matrix.axes.size(); ++a) {
      const auto& [axis, values] = matrix.axes[a];
      const Json& value = values[combinations[c][a]];
      if (a > 0) item.name += ',';
      item.name += axis + "=" + matrix_value_text(value);
      item.matrix[axis] = value;
    }
    item.name += ']';
  }
  return items;
}

}  // namespace

std::vector<TaskItem> expand_fan_out(const TaskSpec& task, const nlohmann::json& resolved) {
  if (!task.fan_out)
    throw std::logic_error("expand_fan_out: task '" + task.name + "' has no foreach or matrix");
  if (task.fan_out->kind == FanOut::Kind::kMatrix) return expand_matrix(task);
  return expand_foreach(task, resolved);
}

}  // namespace flowweaver
