// Rules shared by both databases for turning a result into `columns` and `rows`.
#pragma once

#include <flowweaver/sdk.hpp>
#include <string>
#include <vector>

namespace flowweaver {

// A floating-point value as JSON: NaN and the infinities (which JSON has no number for) as the
// strings "NaN", "Infinity" and "-Infinity", PostgreSQL's own spelling.
Json float_value(double value);

// Each row is an object keyed by column name, so two columns of one name would lose one
// value: throws PermanentError naming the column and the fix.
void check_distinct_columns(const std::vector<std::string>& columns);

}  // namespace flowweaver
