// The files `flowweaver new-plugin` writes: a plugin folder an outside author builds against the
// installed SDK. The templates are compiled into the binary, so the command works wherever the
// host is installed and always matches the SDK it came with.
#pragma once

#include <string>
#include <vector>

namespace flowweaver {

enum class PluginLanguage { kCpp, kC };

struct PluginScaffoldOptions {
  std::string name;  // valid per plugin_name_problem()
  PluginLanguage language = PluginLanguage::kCpp;
  // The prefix FlowWeaver is installed in, written into the README's build command.
  std::string install_prefix;
};

struct ScaffoldFile {
  std::string relative_path;
  std::string text;
};

// CMakeLists.txt, the source file, an example manifest, README.md and .gitignore.
std::vector<ScaffoldFile> plugin_scaffold(const PluginScaffoldOptions& options);

// `text` as one word of a shell command: unchanged when it holds only characters no shell
// treats specially, else single-quoted. For the commands the README and new-plugin print.
std::string shell_word(const std::string& text);

}  // namespace flowweaver
