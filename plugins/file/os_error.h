// The one adapter from the OS's errno to a task failure: which errors are worth retrying, and a
// message that names the path and, where there is one, the fix.
#pragma once

#include <string>

namespace flowweaver {

// True for errors that may clear up by themselves (a busy file, a full disk, an I/O hiccup);
// false for those that the same call would meet again (a missing file, no permission, a path
// that is not a directory). An errno not listed either way counts as retryable.
bool is_retryable_errno(int error);

// Throws, as PermanentError or (when retryable) std::runtime_error, "<doing>: <strerror>",
// followed by a hint for the errors that have an obvious one. `doing` names what failed and the
// path, e.g. "cannot open 'in.csv'".
[[noreturn]] void throw_os_error(const std::string& doing, int error);

// `path` quoted as it appears in every message of the plugin.
std::string quoted(const std::string& path);

}  // namespace flowweaver
