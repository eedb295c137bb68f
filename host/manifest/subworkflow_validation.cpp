#include "manifest/subworkflow_validation.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "manifest/manifest_reader.h"
#include "manifest/template.h"
#include "run_params.h"
#include "util/suggest.h"

namespace flowweaver {
namespace fs = std::filesystem;

namespace {

// The manifests being validated, outermost first: a child validates its own children with the
// same function, which is how a cycle shows. Per thread: validations on different threads (the
// service reloading) are unrelated.
struct ChainEntry {
  std::string canonical;  // the file's canonical path
  std::string written;    // as given: the command line's, or the parent's `file:`
  std::string name;       // the workflow's name
};
thread_local std::vector<ChainEntry> validation_chain;

class ChainLink {
 public:
  explicit ChainLink(ChainEntry entry) { validation_chain.push_back(std::move(entry)); }
  ~ChainLink() { validation_chain.pop_back(); }
  ChainLink(const ChainLink&) = delete;
  ChainLink& operator=(const ChainLink&) = delete;
};

std::string canonical_name(const fs::path& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return (ec ? fs::absolute(path) : canonical).lexically_normal().string();
}

// What a checked child offers its parent's references.
struct ChildFacts {
  std::string file;  // as written in `with.file`
  std::string name;
  std::vector<std::string> outputs;
};

class SubworkflowChecker {
 public:
  SubworkflowChecker(const Manifest& m, const PluginRegistry& plugins, const EnvLookup& env,
                     DiagnosticList* diagnostics)
      : m_(m), plugins_(plugins), env_(env), diagnostics_(diagnostics) {}

  void run() {
    for (const TaskSpec& task : m_.tasks) {
      if (!runs_subworkflow(task)) continue;
      if (std::optional<ChildFacts> facts = check_task(task)) children_[task.name] = *facts;
    }
    if (!children_.empty()) check_output_references();
  }

 private:
  void error(SourceLocation where, std::string message) {
    diagnostics_->add(where, std::move(message));
  }

  static SourceLocation with_location(const TaskSpec& task, const std::string& pointer) {
    auto it = task.with_locations.find(pointer);
    return it != task.with_locations.end() ? it->second : task.location;
  }

  // The literal `file:` of the task, or nothing (reported).
  std::optional<std::string> file_of(const TaskSpec& task) {
    for (auto it = task.with.begin(); it != task.with.end(); ++it) {
      if (it.key() == "file" || it.key() == "params") continue;
      error(with_location(task, "/" + it.key()),
            "task '" + task.name + "': workflow.run has no parameter '" + it.key() + "'" +
                did_you_mean(it.key(), {"file", "params"}) + "; it takes: file, params");
    }
    if (!task.with.contains("file")) {
      error(task.location, "task '" + task.name +
                               "': workflow.run needs `with: {file: other.yaml}`, the manifest "
                               "of the workflow to run (relative to this manifest's directory)");
      return std::nullopt;
    }
    const Json& file = task.with["file"];
    if (!file.is_string() || file.get_ref<const std::string&>().empty() ||
        has_references(file.get_ref<const std::string&>())) {
      error(with_location(task, "/file"),
            "task '" + task.name +
                "': `file` must be a literal path to a manifest, with no ${...} (the child "
                "workflow is validated with this one, before anything runs)");
      return std::nullopt;
    }
    return file.get<std::string>();
  }

  std::optional<ChildFacts> check_task(const TaskSpec& task) {
    if (task.fan_out) {
      error(task.fan_out->location,
            "task '" + task.name +
                "': workflow.run does not take `foreach:` or `matrix:` (each item would need a "
                "child run of its own); write one task per child run");
    }
    std::optional<std::string> file = file_of(task);
    if (task.with.contains("params") && !task.with["params"].is_object()) {
      error(with_location(task, "/params"),
            "task '" + task.name + "': `params` must be a map of the child workflow's params");
    }
    if (!file) return std::nullopt;
    std::optional<Manifest> child = load_child(task, *file);
    if (!child) return std::nullopt;
    check_params(task, *child);
    ChildFacts facts{*file, child->name, {}};
    for (auto it = child->outputs.begin(); it != child->outputs.end(); ++it) {
      facts.outputs.push_back(it.key());
    }
    return facts;
  }

  // The child manifest at the task's `file:`, read and validated; nothing (reported at the
  // `file:` value) when it is missing, in a cycle, invalid or named as a workflow of the chain.
  std::optional<Manifest> load_child(const TaskSpec& task, const std::string& file) {
    SourceLocation at = with_location(task, "/file");
    fs::path path = *subworkflow_file(m_.file, task);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      error(at, "task '" + task.name + "': no manifest at " + path.string() +
                    " (`file` is relative to this manifest's directory)");
      return std::nullopt;
    }
    std::string canonical = canonical_name(path);
    if (cycle_back_to(canonical, file, at)) return std::nullopt;
    DiagnosticList problems(path.string());
    Manifest child = read_manifest(path, &problems);
    if (problems.empty()) {
      ChainLink link({canonical, file, child.name});
      validate_manifest(child, plugins_, env_, &problems);
    }
    for (const Diagnostic& d : problems.items()) {
      error(at, "task '" + task.name + "': in sub-workflow " + d.to_string());
    }
    if (!problems.empty() || named_as_an_ancestor(task, child.name, file, at)) return std::nullopt;
    return child;
  }

  // Each workflow's state file is named after it: a child named as a workflow of the chain
  // would share (and find locked) the state of a run that waits for it.
  bool named_as_an_ancestor(const TaskSpec& task, const std::string& name, const std::string& file,
                            SourceLocation at) {
    for (const ChainEntry& entry : validation_chain) {
      if (entry.name != name) continue;
      error(at, "task '" + task.name + "': the sub-workflow in " + file + " is also named '" +
                    name + "', like " + entry.written +
                    "; each workflow's state file is named after it: rename one");
      return true;
    }
    return false;
  }

  // True, reported, when `canonical` is a manifest being validated already.
  bool cycle_back_to(const std::string& canonical, const std::string& written, SourceLocation at) {
    auto found =
        std::find_if(validation_chain.begin(), validation_chain.end(),
                     [&](const ChainEntry& entry) { return entry.canonical == canonical; });
    if (found == validation_chain.end()) return false;
    std::string path;
    for (auto it = found; it != validation_chain.end(); ++it) path += it->written + " -> ";
    error(at, "workflow cycle: " + path + written +
                  ": a workflow may not run itself, directly or through others");
    return true;
  }

  void check_params(const TaskSpec& task, const Manifest& child) {
    std::vector<std::string> names;
    for (const WorkflowParam& p : child.param_decls) names.push_back(p.name);
    const Json empty = Json::object();
    const Json& given = task.with.contains("params") && task.with["params"].is_object()
                            ? task.with["params"]
                            : empty;
    for (auto it = given.begin(); it != given.end(); ++it) {
      if (std::find(names.begin(), names.end(), it.key()) != names.end()) {
        check_literal_param(task, child, it.key(), it.value());
        continue;
      }
      error(with_location(task, "/params/" + it.key()),
            "task '" + task.name + "': workflow '" + child.name + "' has no param '" + it.key() +
                "'" + did_you_mean(it.key(), names) +
                (names.empty() ? "; it declares none" : "; its params: " + join(names)));
    }
    for (const WorkflowParam& p : child.param_decls) {
      if (p.default_value || given.contains(p.name)) continue;
      error(task.location, "task '" + task.name + "': workflow '" + child.name + "' needs param '" +
                               p.name + "' (it has no default): give it under `with: params:`");
    }
  }

  // A value without references is checked now, as `--param` would check it (run_params.h); one
  // with them is checked when the attempt has resolved them.
  void check_literal_param(const TaskSpec& task, const Manifest& child, const std::string& name,
                           const Json& value) {
    if (value.dump().find("${") != std::string::npos) return;
    try {
      check_given_params(child, Json{{name, value}}, ParamSource::kApi);
    } catch (const ParamsRefused& e) {
      error(with_location(task, "/params/" + name),
            "task '" + task.name + "': workflow '" + child.name + "': " + e.what());
    }
  }

  // ${tasks.SUB.output.NAME} must name one of the child's outputs.
  void check_output_references() {
    for (const TaskSpec& task : m_.tasks) {
      if (task.with.empty()) continue;
      for_each_reference(
          task.with, "",
          [&](const std::string& pointer, const Reference& ref) {
            if (ref.kind != Reference::Kind::kTask) return;
            auto child = children_.find(ref.name);
            if (child == children_.end() || ref.path.empty()) return;
            const std::vector<std::string>& outputs = child->second.outputs;
            if (std::find(outputs.begin(), outputs.end(), ref.path[0]) != outputs.end()) return;
            error(with_location(task, pointer),
                  ref.source + ": workflow '" + child->second.name + "' (" + child->second.file +
                      ") has no output '" + ref.path[0] + "'" + did_you_mean(ref.path[0], outputs) +
                      (outputs.empty() ? "; it declares no `outputs:`"
                                       : "; its outputs: " + join(outputs)));
          },
          [](const std::string&, const std::string&) {});  // syntax: reported by the validator
    }
  }

  const Manifest& m_;
  const PluginRegistry& plugins_;
  const EnvLookup& env_;
  DiagnosticList* diagnostics_;
  std::map<std::string, ChildFacts> children_;  // by task name
};

}  // namespace

bool runs_subworkflow(const TaskSpec& task) { return task.uses == kWorkflowRunType; }

std::optional<fs::path> subworkflow_file(const std::string& manifest_file, const TaskSpec& task) {
  auto it = task.with.find("file");
  if (it == task.with.end() || !it->is_string()) return std::nullopt;
  fs::path file = it->get<std::string>();
  if (file.is_absolute()) return file;
  return fs::path(manifest_directory(manifest_file)) / file;
}

void check_subworkflows(const Manifest& manifest, const PluginRegistry& plugins,
                        const EnvLookup& env, DiagnosticList* diagnostics) {
  if (std::none_of(manifest.tasks.begin(), manifest.tasks.end(), runs_subworkflow)) return;
  std::optional<ChainLink> root;
  if (validation_chain.empty()) {
    root.emplace(ChainEntry{canonical_name(manifest.file), manifest.file, manifest.name});
  }
  SubworkflowChecker(manifest, plugins, env, diagnostics).run();
}

}  // namespace flowweaver
