#include "manifest/diagnostic.h"

#include <algorithm>

#include "util/printable.h"

namespace flowweaver {

std::string Diagnostic::to_string() const {
  // Appended piece by piece: GCC 12 raises a false -Wrestrict on chained operator+ here.
  std::string out = printable(file);
  if (location.line > 0) {
    out.append(":").append(std::to_string(location.line));
    out.append(":").append(std::to_string(location.column));
  }
  out.append(": ").append(printable(message));
  return out;
}

std::string DiagnosticList::to_string() const {
  std::vector<Diagnostic> sorted = items_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.location.line != b.location.line) return a.location.line < b.location.line;
    return a.location.column < b.location.column;
  });
  std::string out;
  for (const Diagnostic& d : sorted) out += d.to_string() + "\n";
  return out;
}

}  // namespace flowweaver
