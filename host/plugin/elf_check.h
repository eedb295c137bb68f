// A look at a plugin file before dlopen() sees it. dlopen maps a truncated shared object and the
// process then dies of SIGBUS when the loader touches the missing pages, so a half-copied .so
// must be refused by reading its ELF headers first.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace flowweaver {

// Why `path` cannot be a loadable 64-bit shared object for this machine, or nothing if its ELF
// header, program headers and loadable segments all lie within the file.
std::optional<std::string> check_elf_shared_object(const std::filesystem::path& path);

}  // namespace flowweaver
