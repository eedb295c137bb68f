// Paths matching a pattern, by POSIX glob(3).
#pragma once

#include <string>
#include <vector>

namespace flowweaver {

// The paths matching `pattern`, sorted by byte value (the same order whatever the locale); an
// empty list when nothing matches. Syntax is glob(3)'s with no flags: `*`, `?` and `[...]`
// within one path component; `*` does not match a leading `.`; `**` is the same as `*` (no
// recursion), and there is no `{a,b}` or `~`. Unreadable directories are skipped. Throws
// PermanentError for an empty pattern.
std::vector<std::string> glob_paths(const std::string& pattern);

}  // namespace flowweaver
