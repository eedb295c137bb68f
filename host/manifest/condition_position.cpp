#include "manifest/condition_position.h"

#include <algorithm>

namespace flowweaver {

ConditionPosition condition_position(const TaskCondition& condition, size_t offset) {
  if (!condition.single_line || condition.location.line == 0) return {condition.location, false};
  offset = std::min(offset, condition.source.size());
  std::string_view before = std::string_view(condition.source).substr(0, offset);
  // Columns count characters, as the YAML reader's do: UTF-8 continuation bytes add none.
  auto continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
  int column = condition.location.column + static_cast<int>(offset) -
               static_cast<int>(std::count_if(before.begin(), before.end(), continuation));
  if (condition.quote != 0) {
    ++column;  // the opening quote
    // Each of these was written with one more character than it reads as.
    std::string_view doubled = condition.quote == '\'' ? "'" : "\"\\";
    column += static_cast<int>(std::count_if(before.begin(), before.end(), [&](char c) {
      return doubled.find(c) != std::string_view::npos;
    }));
  }
  return {{condition.location.line, column}, true};
}

void report_condition_error(const std::string& task_name, const TaskCondition& condition,
                            const expr::ExprError& error, DiagnosticList* diagnostics) {
  ConditionPosition at = condition_position(condition, error.offset());
  std::string message = "task '" + task_name + "': `if`: " + error.what();
  if (!at.exact) {
    message += " (at character " + std::to_string(error.offset() + 1) + " of the expression)";
  }
  diagnostics->add(at.location, std::move(message));
}

}  // namespace flowweaver
