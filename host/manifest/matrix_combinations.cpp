#include "manifest/matrix_combinations.h"

#include <algorithm>
#include <optional>

namespace flowweaver {
namespace {

// An exclude entry as value indexes: per axis, the index it requires, or nothing for "any".
using ExcludePattern = std::vector<std::optional<size_t>>;

// Nothing when the entry names an axis or a value the matrix lacks: it matches no combination.
std::optional<ExcludePattern> exclude_pattern(const FanOut& matrix, const Json& entry) {
  if (!entry.is_object()) return std::nullopt;
  ExcludePattern pattern(matrix.axes.size());
  size_t num_named = 0;
  for (size_t a = 0; a < matrix.axes.size(); ++a) {
    const auto& [axis, values] = matrix.axes[a];
    auto it = entry.find(axis);
    if (it == entry.end()) continue;
    auto value = std::find(values.begin(), values.end(), *it);
    if (value == values.end()) return std::nullopt;
    pattern[a] = static_cast<size_t>(value - values.begin());
    ++num_named;
  }
  if (num_named != entry.size()) return std::nullopt;
  return pattern;
}

bool matches(const ExcludePattern& pattern, const std::vector<size_t>& combination) {
  for (size_t a = 0; a < pattern.size(); ++a) {
    if (pattern[a] && *pattern[a] != combination[a]) return false;
  }
  return true;
}

// Steps `combination` to the next one, the last axis fastest; false after the last.
bool advance(const FanOut& matrix, std::vector<size_t>* combination) {
  for (size_t a = combination->size(); a-- > 0;) {
    if (++(*combination)[a] < matrix.axes[a].second.size()) return true;
    (*combination)[a] = 0;
  }
  return false;
}

}  // namespace

size_t matrix_product_size(const FanOut& matrix) {
  constexpr size_t kTooMany = kMaxMatrixCombinations + 1;
  size_t product = 1;
  for (const auto& [axis, values] : matrix.axes) {
    if (values.empty()) return 0;
    // Saturates before the product can overflow.
    product = product > kTooMany / values.size() ? kTooMany : product * values.size();
  }
  return std::min(product, kTooMany);
}

std::vector<std::vector<size_t>> matrix_combinations(const FanOut& matrix) {
  std::vector<std::vector<size_t>> kept;
  if (matrix.axes.empty() || matrix_product_size(matrix) == 0) return kept;
  std::vector<ExcludePattern> patterns;
  for (const Json& entry : matrix.exclude) {
    if (std::optional<ExcludePattern> p = exclude_pattern(matrix, entry)) patterns.push_back(*p);
  }
  std::vector<size_t> combination(matrix.axes.size(), 0);
  do {
    bool excluded = std::any_of(patterns.begin(), patterns.end(),
                                [&](const ExcludePattern& p) { return matches(p, combination); });
    if (!excluded) kept.push_back(combination);
  } while (advance(matrix, &combination));
  return kept;
}

std::string matrix_value_text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace flowweaver
