// new-plugin: a buildable plugin folder for an outside author (scaffold/plugin_scaffold.h): the
// name, language and directory are checked first; then every file is written, or, when one
// cannot be, none is left behind.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "engine.h"
#include "plugin/plugin_registry.h"
#include "scaffold/plugin_name.h"
#include "scaffold/plugin_scaffold.h"
#include "scaffold/scaffold_writer.h"
#include "util/error.h"
#include "util/install_layout.h"
#include "util/printable.h"

#ifndef FLOWWEAVER_PREFIX_FROM_BINDIR
#define FLOWWEAVER_PREFIX_FROM_BINDIR ".."
#endif
#ifndef FLOWWEAVER_SDK_DIR_FROM_BINDIR
#define FLOWWEAVER_SDK_DIR_FROM_BINDIR "../lib/cmake/FlowWeaverSDK"
#endif

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

// CMake's own default prefix, for a README written by a flowweaver that is not installed.
constexpr const char* kDefaultPrefix = "/usr/local";

PluginLanguage parse_language(const std::string& language) {
  if (language == "cpp") return PluginLanguage::kCpp;
  if (language == "c") return PluginLanguage::kC;
  throw Error::InvalidArgument("--lang '" + language +
                               "' is not a language new-plugin writes: give --lang cpp (C++ with "
                               "the SDK's sdk.hpp) or --lang c (C with plugin.h alone)");
}

// A second plugin of the same name would be ignored by every host that finds this one.
void require_unused_name(const std::string& name) {
  PluginRegistry registry;
  registry.load_directories(plugin_search_path({}));
  if (auto existing = registry.find(name)) {
    throw Error::InvalidArgument("a plugin named '" + name +
                                 "' is already on the plugin search path (" +
                                 existing->path().string() +
                                 "), and a host ignores a second plugin of the same name: "
                                 "choose another name");
  }
}

// The directory must be new or empty: new-plugin never overwrites an author's files.
void require_usable_directory(const fs::path& dir) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(dir, ec);
  if (!fs::exists(status)) return;
  if (!fs::is_directory(fs::status(dir, ec))) {
    throw Error::InvalidArgument(dir.string() +
                                 " exists and is not a directory: give a new or empty directory "
                                 "with --dir");
  }
  if (!fs::is_empty(dir, ec)) {
    throw Error::InvalidArgument(dir.string() +
                                 " already exists and is not empty: give a new or empty "
                                 "directory with --dir, or remove that one");
  }
}

// The prefix this flowweaver is installed in, if its SDK package was installed with it.
std::optional<std::string> installed_prefix() {
  fs::path sdk = installed_path(FLOWWEAVER_SDK_DIR_FROM_BINDIR, "");
  std::error_code ec;
  if (sdk.empty() || !fs::exists(sdk / "FlowWeaverSDKConfig.cmake", ec)) return std::nullopt;
  fs::path prefix = installed_path(FLOWWEAVER_PREFIX_FROM_BINDIR, "");
  if (prefix.filename().empty()) prefix = prefix.parent_path();  // "/opt/fw/" -> "/opt/fw"
  return prefix.string();
}

void print_next_steps(const PluginScaffoldOptions& options, const fs::path& dir,
                      const std::vector<ScaffoldFile>& files) {
  std::cout << "Created the " << (options.language == PluginLanguage::kCpp ? "C++" : "C")
            << " plugin '" << options.name << "' in " << printable(dir.string()) << ":\n";
  for (const ScaffoldFile& f : files) std::cout << "  " << f.relative_path << "\n";
  std::cout << "Build, deploy and run it (README.md says more):\n"
            << "  cd " << printable(shell_word(dir.string())) << "\n"
            << "  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="
            << printable(shell_word(options.install_prefix)) << " && cmake --build build\n"
            << "  cmake --install build\n"
            << "  flowweaver run " << options.name << ".yaml\n";
}

}  // namespace

int new_plugin_command(const std::string& name, const std::string& language,
                       const std::string& dir) {
  try {
    if (std::optional<std::string> problem = plugin_name_problem(name)) {
      throw Error::InvalidArgument(*problem);
    }
    PluginScaffoldOptions options{name, parse_language(language), ""};
    require_unused_name(name);
    fs::path target = dir.empty() ? fs::path(name) : fs::path(dir);
    require_usable_directory(target);
    std::optional<std::string> prefix = installed_prefix();
    options.install_prefix = prefix.value_or(kDefaultPrefix);
    std::vector<ScaffoldFile> files = plugin_scaffold(options);
    write_scaffold(target, files);
    print_next_steps(options, target, files);
    if (!prefix) {
      std::cerr << "note: this flowweaver is not an installed one (no SDK package beside it), so "
                   "README.md assumes FlowWeaver installed in "
                << kDefaultPrefix
                << ": install it there with `cmake --install <its build dir>`, or change "
                   "CMAKE_PREFIX_PATH in README.md to where it is installed\n";
    }
    return kExitOk;
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "; nothing was written\n";
    return e.kind() == ErrorKind::kInvalidArgument ? kExitInvalid : kExitRuntime;
  }
}

void add_new_plugin_command(CommandRegistry& commands) {
  struct Arguments {
    std::string name, language = "cpp", dir;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* cmd = commands.add(
      "new-plugin", "Write a new plugin's folder, ready to build against the installed SDK",
      [args] { return new_plugin_command(args->name, args->language, args->dir); });
  cmd->add_option("NAME", args->name, "The plugin's name, as manifests will use it (NAME.greet)")
      ->required();
  cmd->add_option("--lang", args->language, "cpp (C++ with sdk.hpp) or c (C with plugin.h)")
      ->capture_default_str();
  cmd->add_option("--dir", args->dir,
                  "Where to write it, a new or empty directory (default: NAME)");
}

}  // namespace flowweaver
