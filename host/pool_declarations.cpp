#include "pool_declarations.h"

#include <charconv>

#include "manifest/manifest_reader.h"

namespace flowweaver {

std::map<std::string, int> parse_pool_assignments(const std::vector<std::string>& assignments) {
  std::map<std::string, int> slots;
  for (const std::string& a : assignments) {
    size_t eq = a.find('=');
    std::string name = a.substr(0, eq);
    std::string count = eq == std::string::npos ? "" : a.substr(eq + 1);
    int n = 0;
    auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
    if (eq == std::string::npos || !is_valid_name(name) || ec != std::errc() ||
        end != count.data() + count.size() || n < 1 || n > 100000) {
      throw PoolDeclarationRefused(
          "--pool '" + a +
          "': expected NAME=N, a pool name (letters, digits, '_', '-') and its number of slots "
          "from 1 to 100000, e.g. --pool warehouse=2");
    }
    if (!slots.emplace(name, n).second) {
      throw PoolDeclarationRefused("--pool " + name + " is given twice: give each pool once");
    }
  }
  return slots;
}

void check_pools_declared(const Manifest& manifest, const std::map<std::string, int>& declared,
                          const std::function<std::string(const std::string&)>& how_to_declare,
                          DiagnosticList* diagnostics) {
  for (const TaskSpec& t : manifest.tasks) {
    if (t.pool.empty() || declared.count(t.pool)) continue;
    diagnostics->add(t.pool_location, "task '" + t.name + "': pool '" + t.pool +
                                          "' is not declared; " + how_to_declare(t.pool));
  }
}

}  // namespace flowweaver
