// validate and graph: a manifest checked against the plugins found, and its task graph.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "plugin/plugin_registry.h"
#include "workflow.h"

namespace flowweaver {

int validate_command(const std::string& file, const PathList& plugin_dirs) {
  DiagnosticList diagnostics(file);
  std::optional<Workflow> w = load_workflow(file, plugin_dirs, process_env, &diagnostics);
  if (!w) {
    std::cerr << diagnostics.to_string() << diagnostics.size() << " problem(s) found.\n";
    return kExitInvalid;
  }
  std::cout << file << ": ok (workflow '" << w->manifest.name << "', " << w->manifest.tasks.size()
            << " tasks)\n";
  return kExitOk;
}

int graph_command(const std::string& file, const PathList& plugin_dirs) {
  DiagnosticList diagnostics(file);
  std::optional<Workflow> w = load_workflow(file, plugin_dirs, process_env, &diagnostics);
  if (!w) {
    std::cerr << diagnostics.to_string() << diagnostics.size() << " problem(s) found.\n";
    return kExitInvalid;
  }
  auto quoted = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  std::cout << "digraph " << quoted(w->manifest.name) << " {\n  rankdir=LR;\n";
  for (const TaskSpec& t : w->manifest.tasks) {
    std::cout << "  " << quoted(t.name) << " [label=" << quoted(t.name + "\n" + t.uses) << "];\n";
  }
  for (const TaskSpec& t : w->manifest.tasks) {
    for (const std::string& dep : t.depends_on) {
      std::cout << "  " << quoted(dep) << " -> " << quoted(t.name) << ";\n";
    }
  }
  std::cout << "}\n";
  return kExitOk;
}

namespace {

// What validate and graph take: a manifest and where to look for plugins.
struct ManifestArguments {
  std::string file;
  PathList plugin_dirs;
};

}  // namespace

void add_validate_command(CommandRegistry& commands) {
  auto args = std::make_shared<ManifestArguments>();
  CLI::App* cmd = commands.add("validate", "Check a manifest; run nothing", [args] {
    return validate_command(args->file, plugin_search_path(args->plugin_dirs));
  });
  cmd->add_option("FILE", args->file, "Workflow manifest")->required();
  add_plugin_dir_option(cmd, &args->plugin_dirs);
}

void add_graph_command(CommandRegistry& commands) {
  auto args = std::make_shared<ManifestArguments>();
  CLI::App* cmd = commands.add("graph", "Print the task graph in Graphviz DOT", [args] {
    return graph_command(args->file, plugin_search_path(args->plugin_dirs));
  });
  cmd->add_option("FILE", args->file, "Workflow manifest")->required();
  add_plugin_dir_option(cmd, &args->plugin_dirs);
}

}  // namespace flowweaver
