#include "manifest/fan_out_summary.h"

#include "manifest/matrix_combinations.h"

namespace flowweaver {
namespace {

std::string count_of(size_t n, const std::string& singular, const std::string& plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

std::string foreach_summary(const FanOut& foreach) {
  if (foreach.items.is_string()) {
    std::string summary = "foreach " + foreach.items.get<std::string>();
    if (foreach.batch_size > 0) summary += " in batches of " + std::to_string(foreach.batch_size);
    return summary;
  }
  size_t n = foreach.items.size();
  std::string summary = "foreach: " + count_of(n, "item", "items");
  if (foreach.batch_size > 0) {
    size_t batch_size = static_cast<size_t>(foreach.batch_size);
    summary += " in " + count_of((n + batch_size - 1) / batch_size, "batch", "batches") + " of " +
               std::to_string(batch_size);
  }
  return summary;
}

}  // namespace

std::string fan_out_summary(const TaskSpec& task) {
  if (!task.fan_out) return "";
  const FanOut& fan_out = *task.fan_out;
  std::string summary = fan_out.kind == FanOut::Kind::kMatrix
                            ? "matrix: " + count_of(matrix_combinations(fan_out).size(),
                                                    "combination", "combinations")
                            : foreach_summary(fan_out);
  if (fan_out.max_parallel > 0) {
    summary += ", at most " + std::to_string(fan_out.max_parallel) + " at once";
  }
  return summary;
}

}  // namespace flowweaver
