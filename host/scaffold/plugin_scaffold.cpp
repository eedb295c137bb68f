#include "scaffold/plugin_scaffold.h"

#include <cctype>
#include <string_view>

#include "scaffold/plugin_templates.h"

namespace flowweaver {
namespace {

void replace_all(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at)) {
    text->replace(at, from.size(), to);
    at += to.size();
  }
}

}  // namespace

std::string shell_word(const std::string& text) {
  bool plain = !text.empty();
  for (char c : text) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                      std::string_view("/._+-:,@%=").find(c) != std::string_view::npos);
  }
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::vector<ScaffoldFile> plugin_scaffold(const PluginScaffoldOptions& options) {
  bool cpp = options.language == PluginLanguage::kCpp;
  std::string source = options.name + (cpp ? ".cpp" : ".c");
  std::vector<ScaffoldFile> files = {
      {"CMakeLists.txt", templates::kCMakeLists},
      {source, cpp ? templates::kCppSource : templates::kCSource},
      {options.name + ".yaml", templates::kManifest},
      {"README.md", templates::kReadme},
      {".gitignore", templates::kGitignore},
  };
  for (ScaffoldFile& f : files) {
    replace_all(&f.text, "@SOURCE@", source);
    replace_all(&f.text, "@LANGUAGE@", cpp ? "CXX" : "C");
    replace_all(&f.text, "@LANGUAGE_NAME@", cpp ? "C++" : "C");
    replace_all(&f.text, "@PREFIX_WORD@", shell_word(options.install_prefix));
    replace_all(&f.text, "@PREFIX@", options.install_prefix);
    replace_all(&f.text, "@NAME@", options.name);
  }
  return files;
}

}  // namespace flowweaver
