// What `flowweaver new-plugin` accepts as a plugin's name: one name serves as the plugin's name
// in manifests (`uses: NAME.type`), its CMake target, its file (NAME.so) and its source file.
#pragma once

#include <optional>
#include <string>

namespace flowweaver {

// Why `name` cannot name a new plugin, with the fix; nullopt when it can. Allowed: lowercase
// letters, digits and '_', starting with a letter (plugin.h's [a-z0-9_], and no leading digit so
// the name is also a C identifier and a file name that sorts sensibly).
std::optional<std::string> plugin_name_problem(const std::string& name);

}  // namespace flowweaver
