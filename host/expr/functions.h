// The functions an expression may call (workflows/FORMAT.md, "Conditions"): their names and
// arities for the parser; types are checked in type_checker.cpp, values made in evaluator.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flowweaver::expr {

struct FunctionInfo {
  std::string_view name;
  size_t num_arguments;
  std::string_view signature;  // for messages: "contains(haystack, needle)"
};

// nullptr for an unknown name.
const FunctionInfo* find_function(std::string_view name);

// Every function's name, for suggestions.
std::vector<std::string> function_names();

}  // namespace flowweaver::expr
