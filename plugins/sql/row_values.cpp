#include "row_values.h"

#include <cmath>
#include <set>

namespace flowweaver {

Json float_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

void check_distinct_columns(const std::vector<std::string>& columns) {
  std::set<std::string> seen;
  for (const std::string& name : columns) {
    if (!seen.insert(name).second) {
      throw PermanentError("the result has two columns named '" + name +
                           "': rows are objects keyed by column name, so give them distinct "
                           "names (SELECT a.id AS a_id, b.id AS b_id ...)");
    }
  }
}

}  // namespace flowweaver
