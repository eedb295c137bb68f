// The combinations a `matrix:` task runs (workflows/FORMAT.md, "foreach and matrix"): every
// choice of one value per axis, the first axis varying slowest, less those an `exclude:` entry
// matches. Shared by the reader (which refuses a matrix with none left) and the expansion into
// calls (exec/fan_out_items.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace flowweaver {

// Products larger than this are refused by the reader: a matrix is written by hand, and
// each combination is a durable row of its own.
constexpr size_t kMaxMatrixCombinations = 10000;

// The number of combinations before `exclude:`, or kMaxMatrixCombinations + 1 when there are
// more than that (the product may not fit in a size_t).
size_t matrix_product_size(const FanOut& matrix);

// The combinations left after `exclude:`, in order, each as one value index per axis. An
// exclude entry matches a combination when every axis it names holds the value it gives; one
// naming an axis or value the matrix lacks matches nothing.
std::vector<std::vector<size_t>> matrix_combinations(const FanOut& matrix);

// A value as an item's row name shows it: a string as is, anything else as JSON text.
std::string matrix_value_text(const Json& value);

}  // namespace flowweaver
