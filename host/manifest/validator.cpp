#include "manifest/validator.h"

#include <cstdlib>
#include <flowweaver/sdk.hpp>
#include <set>

#include "manifest/template.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

class Validator {
 public:
  Validator(const Manifest& m, const PluginRegistry& plugins, const EnvLookup& env,
            DiagnosticList* diagnostics)
      : m_(m), plugins_(plugins), env_(env), diagnostics_(diagnostics), index_(index_tasks(m)) {
    for (const TaskSpec& t : m.tasks) task_names_.push_back(t.name);
    for (auto it = m.params.begin(); it != m.params.end(); ++it) param_names_.push_back(it.key());
  }

  void run() {
    check_params();
    check_names_and_dependencies();
    check_cycles();
    for (const TaskSpec& task : m_.tasks) {
      TaskTypeRef type = check_uses(task);
      if (type.type) check_with(task, *type.type);
      check_references(task);
    }
  }

 private:
  void error(SourceLocation where, std::string message) {
    diagnostics_->add(where, std::move(message));
  }

  SourceLocation with_location(const TaskSpec& task, const std::string& pointer) {
    auto it = task.with_locations.find(pointer);
    return it != task.with_locations.end() ? it->second : task.location;
  }

  void check_params() {
    for_each_reference(
        m_.params, "",
        [&](const std::string& pointer, const Reference& ref) {
          SourceLocation where = m_.params_locations.count(pointer)
                                     ? m_.params_locations.at(pointer)
                                     : m_.name_location;
          if (ref.kind == Reference::Kind::kEnv) {
            check_env(where, ref);
          } else if (ref.kind != Reference::Kind::kManifestDir) {
            error(where, ref.source + ": params may only refer to ${env.NAME} and ${manifest.dir}");
          }
        },
        [&](const std::string& pointer, const std::string& message) {
          error(m_.params_locations.count(pointer) ? m_.params_locations.at(pointer)
                                                   : m_.name_location,
                message);
        });
  }

  void check_names_and_dependencies() {
    std::unordered_map<std::string, SourceLocation> first;
    for (const TaskSpec& task : m_.tasks) {
      if (task.name.empty()) continue;
      auto [it, inserted] = first.emplace(task.name, task.location);
      if (!inserted) {
        error(task.location, "duplicate task name '" + task.name + "' (first defined at line " +
                                 std::to_string(it->second.line) + ")");
      }
      std::set<std::string> seen;
      for (size_t i = 0; i < task.depends_on.size(); ++i) {
        const std::string& dep = task.depends_on[i];
        SourceLocation where = task.depends_on_locations[i];
        if (dep == task.name) {
          error(where, "task '" + task.name + "' depends on itself");
        } else if (!index_.count(dep)) {
          error(where, "task '" + task.name + "' depends on unknown task '" + dep + "'" +
                           did_you_mean(dep, task_names_));
        } else if (!seen.insert(dep).second) {
          error(where, "task '" + task.name + "' lists '" + dep + "' twice in depends_on");
        }
      }
    }
  }

  void check_cycles() {
    Dag dag = build_dag(m_);
    std::vector<uint32_t> cycle = dag.find_cycle();
    if (cycle.empty()) return;
    std::string path;
    for (uint32_t t : cycle) path += m_.tasks[t].name + " -> ";
    path += m_.tasks[cycle.front()].name;
    error(m_.tasks[cycle.front()].location, "dependency cycle: " + path);
  }

  TaskTypeRef check_uses(const TaskSpec& task) {
    if (task.uses.empty()) return {};
    size_t dot = task.uses.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == task.uses.size()) {
      error(task.uses_location,
            "`uses: " + task.uses + "` must name a plugin and a task type, e.g. builtin.noop");
      return {};
    }
    std::string plugin_name = task.uses.substr(0, dot);
    std::string type_name = task.uses.substr(dot + 1);
    std::shared_ptr<const LoadedPlugin> plugin = plugins_.find(plugin_name);
    if (!plugin) {
      std::string message = "unknown plugin '" + plugin_name + "'" +
                            did_you_mean(plugin_name, plugins_.plugin_names()) +
                            "; loaded plugins: " + join(plugins_.plugin_names());
      if (!plugins_.failures().empty()) {
        message += " (" + std::to_string(plugins_.failures().size()) +
                   " plugin file(s) failed to load: `flowweaver plugins` shows why)";
      }
      error(task.uses_location, message);
      return {};
    }
    TaskTypeRef ref = plugins_.find_task_type(task.uses);
    if (!ref.type) {
      error(task.uses_location, "plugin '" + plugin_name + "' has no task type '" + type_name +
                                    "'" + did_you_mean(type_name, plugin->task_type_names()) +
                                    "; it has: " + join(plugin->task_type_names()));
    }
    return ref;
  }

  void check_with(const TaskSpec& task, const TaskTypeInfo& type) {
    std::vector<std::string> declared;
    for (const ParamDecl& p : type.params) declared.push_back(p.name);
    for (auto it = task.with.begin(); it != task.with.end(); ++it) {
      SourceLocation where = with_location(task, "/" + it.key());
      const ParamDecl* decl = type.find_param(it.key());
      if (!decl) {
        if (!type.open_params) {
          error(where,
                "task '" + task.name + "': " + task.uses + " has no parameter '" + it.key() + "'" +
                    did_you_mean(it.key(), declared) +
                    (declared.empty() ? "; it takes none" : "; it takes: " + join(declared)));
        }
        continue;
      }
      check_value_type(task, *decl, it.value(), where);
    }
    for (const ParamDecl& p : type.params) {
      if (p.required && !task.with.contains(p.name)) {
        error(task.location, "task '" + task.name + "': " + task.uses + " needs parameter '" +
                                 p.name + "' (" + p.type + ": " + p.description + ")");
      }
    }
  }

  // Checks what can be known before running: literal values, and whole-value references to
  // params. Values from env or upstream outputs are checked when the task is called.
  void check_value_type(const TaskSpec& task, const ParamDecl& decl, const Json& value,
                        SourceLocation where) {
    Json effective = value;
    if (value.is_string() && has_references(value.get_ref<const std::string&>())) {
      std::vector<TemplatePart> parts;
      try {
        parts = parse_template(value.get_ref<const std::string&>());
      } catch (const std::invalid_argument&) {
        return;  // reported by check_references
      }
      if (parts.size() != 1 || !parts[0].reference) {
        effective = "text";  // spliced text is a string
        if (decl.type == "duration") return;
      } else if (parts[0].reference->kind == Reference::Kind::kParams &&
                 m_.params.contains(parts[0].reference->name)) {
        effective = m_.params[parts[0].reference->name];
      } else {
        return;
      }
    }
    if (!value_has_type(effective, decl.type)) {
      std::string got = effective.type_name();
      if (decl.type == "duration" && effective.is_string()) {
        error(where, "task '" + task.name + "': parameter '" + decl.name + "': '" +
                         effective.get<std::string>() +
                         "' is not a duration; write a number and a unit: 500ms, 30s, 5m or 1h");
      } else {
        error(where, "task '" + task.name + "': parameter '" + decl.name + "' must be " +
                         decl.type + ", not " + got);
      }
    }
  }

  void check_env(SourceLocation where, const Reference& ref) {
    if (!ref.fallback && !env_(ref.name)) {
      error(where, ref.source + ": environment variable " + ref.name +
                       " is not set (set it, or give a default: ${env." + ref.name + ":-value})");
    }
  }

  void check_references(const TaskSpec& task) {
    std::set<std::string> deps(task.depends_on.begin(), task.depends_on.end());
    for_each_reference(
        task.with, "",
        [&](const std::string& pointer, const Reference& ref) {
          SourceLocation where = with_location(task, pointer);
          switch (ref.kind) {
            case Reference::Kind::kParams:
              if (!m_.params.contains(ref.name)) {
                error(where, ref.source + ": no param '" + ref.name + "'" +
                                 did_you_mean(ref.name, param_names_) +
                                 (param_names_.empty() ? "; the manifest declares no `params`"
                                                       : "; params: " + join(param_names_)));
              }
              break;
            case Reference::Kind::kEnv:
              check_env(where, ref);
              break;
            case Reference::Kind::kTask:
              if (!index_.count(ref.name)) {
                error(where, ref.source + ": no task '" + ref.name + "'" +
                                 did_you_mean(ref.name, task_names_));
              } else if (!deps.count(ref.name)) {
                error(where, ref.source + ": task '" + task.name + "' must list '" + ref.name +
                                 "' in depends_on to use its output");
              }
              break;
            case Reference::Kind::kManifestDir:
              break;
          }
        },
        [&](const std::string& pointer, const std::string& message) {
          error(with_location(task, pointer), message);
        });
  }

  const Manifest& m_;
  const PluginRegistry& plugins_;
  const EnvLookup& env_;
  DiagnosticList* diagnostics_;
  std::unordered_map<std::string, uint32_t> index_;
  std::vector<std::string> task_names_;
  std::vector<std::string> param_names_;
};

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

void validate_manifest(const Manifest& manifest, const PluginRegistry& plugins,
                       const EnvLookup& env, DiagnosticList* diagnostics) {
  Validator(manifest, plugins, env, diagnostics).run();
}

std::unordered_map<std::string, uint32_t> index_tasks(const Manifest& manifest) {
  std::unordered_map<std::string, uint32_t> index;
  index.reserve(manifest.tasks.size());
  for (uint32_t i = 0; i < manifest.tasks.size(); ++i) index.emplace(manifest.tasks[i].name, i);
  return index;
}

Dag build_dag(const Manifest& manifest) {
  std::unordered_map<std::string, uint32_t> index = index_tasks(manifest);
  Dag dag(manifest.tasks.size());
  for (uint32_t t = 0; t < manifest.tasks.size(); ++t) {
    std::set<uint32_t> added;
    for (const std::string& dep : manifest.tasks[t].depends_on) {
      auto it = index.find(dep);
      if (it != index.end() && it->second != t && added.insert(it->second).second) {
        dag.add_dependency(t, it->second);
      }
    }
  }
  return dag;
}

bool value_has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "any") return true;
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "duration") return value.is_string() && parse_duration(value.get<std::string>());
  return false;
}

}  // namespace flowweaver
