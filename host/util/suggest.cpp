#include "util/suggest.h"

#include <algorithm>

namespace flowweaver {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters each cost one, so "tset" is one typo away from "test". Keeps three
// rows of the table in `rows`, reused from call to call.
size_t edit_distance(std::string_view a, std::string_view b, std::vector<size_t>* rows) {
  const size_t width = b.size() + 1;
  rows->assign(3 * width, 0);
  size_t* before = rows->data();   // row i - 2
  size_t* above = before + width;  // row i - 1
  size_t* row = above + width;     // row i
  for (size_t j = 0; j <= b.size(); ++j) above[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({above[j] + 1, row[j - 1] + 1, above[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
    }
    std::swap(before, above);  // rotate: row i - 1 becomes i - 2, row i becomes i - 1
    std::swap(above, row);
  }
  return above[b.size()];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates) {
  // Allow roughly one typo per three characters, at least one and at most three.
  size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  std::vector<size_t> rows;
  for (const std::string& candidate : candidates) {
    // The distance is at least the difference in length: skip what cannot beat the best.
    size_t length_gap = candidate.size() > word.size() ? candidate.size() - word.size()
                                                       : word.size() - candidate.size();
    if (length_gap >= best_distance) continue;
    size_t d = edit_distance(word, candidate, &rows);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto match = closest_match(word, candidates);
  return match ? " (did you mean '" + *match + "'?)" : "";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

}  // namespace flowweaver
