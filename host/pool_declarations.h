// Which pools (workflows/FORMAT.md, "Pools") a process declares, and the check that a manifest
// names none other: `flowweaver run --pool NAME=N` and the service's `pools:` both use it.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"

namespace flowweaver {

// A `--pool` value that is not NAME=N with N a whole number of at least 1.
struct PoolDeclarationRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Slot counts from `--pool NAME=N` values, as typed; throws PoolDeclarationRefused naming the
// value and the fix.
std::map<std::string, int> parse_pool_assignments(const std::vector<std::string>& assignments);

// An error for each task whose pool `declared` lacks, at its `pool:`; `how_to_declare(pool)`
// ends the message with the fix (e.g. "give it slots with --pool warehouse=N").
void check_pools_declared(const Manifest& manifest, const std::map<std::string, int>& declared,
                          const std::function<std::string(const std::string&)>& how_to_declare,
                          DiagnosticList* diagnostics);

}  // namespace flowweaver
