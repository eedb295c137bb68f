// validate and graph: a manifest checked against the plugins found, and its task graph.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "manifest/fan_out_summary.h"
#include "manifest/flow_names.h"
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
  size_t num_handlers = std::count_if(w->manifest.tasks.begin(), w->manifest.tasks.end(),
                                      [](const TaskSpec& t) { return t.role != TaskRole::kTask; });
  std::cout << file << ": ok (workflow '" << w->manifest.name << "', "
            << w->manifest.tasks.size() - num_handlers << " tasks";
  if (num_handlers > 0) std::cout << ", " << num_handlers << " handlers";
  std::cout << ")\n";
  return kExitOk;
}

namespace {

std::string dot_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A task's node: its name, what it uses, what it fans out over (one node for all its items),
// and how it meets failure where that is not the default.
std::string node(const TaskSpec& t) {
  std::string label = t.name + "\n" + t.uses;
  if (t.fan_out) label += "\n" + fan_out_summary(t);
  if (t.trigger_rule != TriggerRule::kAllSuccess) label += "\n" + trigger_rule_name(t.trigger_rule);
  if (t.allow_failure) label += "\nallow_failure";
  return dot_quoted(t.name) + " [label=" + dot_quoted(label) + "]";
}

// Handlers are drawn in a dashed box per list, apart from the tasks they follow.
void print_handler_cluster(const Manifest& m, TaskRole role) {
  bool opened = false;
  for (const TaskSpec& t : m.tasks) {
    if (t.role != role) continue;
    if (!opened) {
      std::string list = task_role_list(role);
      std::cout << "  subgraph " << dot_quoted("cluster_" + list)
                << " {\n    label=" << dot_quoted(list) << ";\n    style=dashed;\n";
      opened = true;
    }
    std::cout << "    " << node(t) << ";\n";
  }
  if (opened) std::cout << "  }\n";
}

}  // namespace

int graph_command(const std::string& file, const PathList& plugin_dirs) {
  DiagnosticList diagnostics(file);
  std::optional<Workflow> w = load_workflow(file, plugin_dirs, process_env, &diagnostics);
  if (!w) {
    std::cerr << diagnostics.to_string() << diagnostics.size() << " problem(s) found.\n";
    return kExitInvalid;
  }
  std::cout << "digraph " << dot_quoted(w->manifest.name) << " {\n  rankdir=LR;\n";
  for (const TaskSpec& t : w->manifest.tasks) {
    if (t.role == TaskRole::kTask) std::cout << "  " << node(t) << ";\n";
  }
  print_handler_cluster(w->manifest, TaskRole::kOnFailure);
  print_handler_cluster(w->manifest, TaskRole::kOnExit);
  for (const TaskSpec& t : w->manifest.tasks) {
    for (const std::string& dep : t.depends_on) {
      std::cout << "  " << dot_quoted(dep) << " -> " << dot_quoted(t.name) << ";\n";
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
