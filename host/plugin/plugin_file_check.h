// Whether a plugin file may be loaded: loading runs its code as this host, so, as ssh and sudo
// do with their files, a plugin and its directory must be owned by root or by the host's own
// user, and writable by nobody else.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace flowweaver {

// Why `file` must not be loaded (naming the file or directory and the fix), or nothing when it
// may be. Checks the file (following symlinks) and the directory holding it.
std::optional<std::string> insecure_plugin_reason(const std::filesystem::path& file);

// Development override (`--allow-insecure-plugins`): set once at start-up, before any loading.
void set_allow_insecure_plugins(bool allow);
bool allow_insecure_plugins();

}  // namespace flowweaver
