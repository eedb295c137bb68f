// What the commands that read or repair a state share: reading the manifest for its name and
// graph, and turning errors into messages and exit codes.
#pragma once

#include <iostream>
#include <string>
#include <vector>

#include "engine.h"
#include "manifest/manifest.h"
#include "util/error.h"
#include "util/printable.h"

namespace flowweaver {

// The manifest, read for its name and graph only (plugins are not needed for these commands).
// Prints its problems and throws Error::InvalidArgument when it has any.
Manifest read_manifest_for_state(const std::string& file);

// The index of `task` in `m`, or Error::NotFound naming the nearest task name.
uint32_t find_task(const Manifest& m, const std::string& file, const std::string& task);

// Runs a command's body: an Error becomes `error: ...` on stderr and exit 3 for a state
// problem, 2 for anything else (usage, a missing file, run or task).
template <class F>
int report_errors(F&& body) {
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "\n";
    return e.kind() == ErrorKind::kState ? kExitRuntime : kExitInvalid;
  }
}

}  // namespace flowweaver
