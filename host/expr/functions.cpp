#include "expr/functions.h"

#include <array>

namespace flowweaver::expr {
namespace {

constexpr std::array<FunctionInfo, 4> kFunctions = {{
    {"contains", 2, "contains(haystack, needle)"},
    {"starts_with", 2, "starts_with(text, prefix)"},
    {"ends_with", 2, "ends_with(text, suffix)"},
    {"len", 1, "len(value)"},
}};

}  // namespace

const FunctionInfo* find_function(std::string_view name) {
  for (const FunctionInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const FunctionInfo& f : kFunctions) names.emplace_back(f.name);
  return names;
}

}  // namespace flowweaver::expr
