#include <iostream>

#include "cli/commands.h"
#include "engine.h"
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

}  // namespace flowweaver
