#include "manifest/validator.h"

#include <algorithm>
#include <cstdlib>
#include <flowweaver/sdk.hpp>
#include <string_view>
#include <unordered_set>

#include "manifest/condition_validation.h"
#include "manifest/fan_out_validation.h"
#include "manifest/flow_names.h"
#include "manifest/secret_source.h"
#include "manifest/subworkflow_validation.h"
#include "manifest/task_index.h"
#include "manifest/template.h"
#include "manifest/workflow_outputs.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

constexpr uint32_t kNoTask = TaskIndex::kNotFound;

// The graph from each task's dependencies, already looked up (`upstream`, flat, in manifest
// order; kNoTask for unknown names). Self-dependencies and repeats add no edge.
Dag build_dag(const Manifest& manifest, const std::vector<uint32_t>& upstream) {
  Dag dag(manifest.tasks.size());
  // linked_from[u] == t once the edge u -> t exists.
  std::vector<uint32_t> linked_from(manifest.tasks.size(), kNoTask);
  size_t next = 0;
  for (uint32_t t = 0; t < manifest.tasks.size(); ++t) {
    for (size_t i = 0; i < manifest.tasks[t].depends_on.size(); ++i) {
      uint32_t u = upstream[next++];
      if (u == kNoTask || u == t || linked_from[u] == t) continue;
      linked_from[u] = t;
      dag.add_dependency(t, u);
    }
  }
  return dag;
}

std::vector<uint32_t> look_up_dependencies(const Manifest& manifest, const TaskIndex& index) {
  size_t num_dependencies = 0;
  for (const TaskSpec& task : manifest.tasks) num_dependencies += task.depends_on.size();
  std::vector<uint32_t> upstream;
  upstream.reserve(num_dependencies);
  for (const TaskSpec& task : manifest.tasks) {
    for (const std::string& dep : task.depends_on) upstream.push_back(index.find(dep));
  }
  return upstream;
}

// Suggestions for misspelled task names cost a pass over every name, so they are worked out
// once per distinct unknown name and for this many names at most: a manifest with thousands of
// broken dependencies gets its errors quickly, the first ones with suggestions.
constexpr size_t kMaxSuggestedNames = 64;

// Checks one manifest. Everything is linear in the size of the manifest: lookups are hashed,
// and the lists that only error messages need (names for suggestions) are built on first use.
class Validator {
 public:
  Validator(const Manifest& m, const PluginRegistry& plugins, const EnvLookup& env,
            DiagnosticList* diagnostics)
      : m_(m), plugins_(plugins), env_(env), diagnostics_(diagnostics), index_(m.tasks) {}

  ValidationResult run() {
    ValidationResult result;
    check_params();
    result.secrets = look_up_secrets();
    std::vector<uint32_t> upstream = look_up_dependencies(m_, index_);
    check_names_and_dependencies(upstream);
    result.dag = build_dag(m_, upstream);
    check_cycles(result.dag);
    check_conditions(m_, index_, result.dag, diagnostics_);
    check_workflow_outputs(m_, index_, diagnostics_);
    check_subworkflows(m_, plugins_, env_, diagnostics_);
    result.task_types.reserve(m_.tasks.size());
    for (const TaskSpec& task : m_.tasks) {
      TaskTypeRef type = check_uses(task);
      if (type.type) check_with(task, *type.type);
      check_references(task);
      check_foreach_reference(task);
      check_foreach_list_references(task);
      result.task_types.push_back(std::move(type));
    }
    return result;
  }

 private:
  void error(SourceLocation where, std::string message) {
    diagnostics_->add(where, std::move(message));
  }

  SourceLocation with_location(const TaskSpec& task, const std::string& pointer) {
    auto it = task.with_locations.find(pointer);
    return it != task.with_locations.end() ? it->second : task.location;
  }

  const std::vector<std::string>& task_names() {
    if (task_names_.empty()) {
      task_names_.reserve(m_.tasks.size());
      for (const TaskSpec& t : m_.tasks) task_names_.push_back(t.name);
    }
    return task_names_;
  }

  const std::vector<std::string>& param_names() {
    if (!param_names_) {
      param_names_.emplace();
      for (const WorkflowParam& p : m_.param_decls) param_names_->push_back(p.name);
    }
    return *param_names_;
  }

  std::string suggest_task(const std::string& unknown) {
    auto it = task_suggestions_.find(unknown);
    if (it != task_suggestions_.end()) return it->second;
    if (task_suggestions_.size() >= kMaxSuggestedNames) return "";
    return task_suggestions_.emplace(unknown, did_you_mean(unknown, task_names())).first->second;
  }

  std::map<std::string, std::string> look_up_secrets() {
    std::map<std::string, std::string> values;
    for (const SecretDecl& secret : m_.secrets) {
      SecretLookup found = find_secret(secret.name, env_);
      if (found.value) {
        values[secret.name] = std::move(*found.value);
      } else {
        error(secret.location, found.problem);
      }
    }
    return values;
  }

  const std::vector<std::string>& secret_names() {
    if (!secret_names_) {
      secret_names_.emplace();
      for (const SecretDecl& secret : m_.secrets) secret_names_->push_back(secret.name);
    }
    return *secret_names_;
  }

  void check_secret_reference(SourceLocation where, const Reference& ref) {
    const std::vector<std::string>& names = secret_names();
    if (std::find(names.begin(), names.end(), ref.name) != names.end()) return;
    error(where,
          ref.source + ": no secret '" + ref.name + "'" + did_you_mean(ref.name, names) +
              (names.empty() ? "; declare it in the manifest: secrets: [" + ref.name + "]"
                             : "; declared secrets: " + join(names) + " (add it to `secrets:`)"));
  }

  const WorkflowParam* find_param(const std::string& name) const {
    for (const WorkflowParam& p : m_.param_decls) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  // What `${params.NAME}` will be, for type checks: its default when that is a constant, else
  // a value of its declared type (a run's value always has it). Nothing for a string without a
  // constant default: it may hold anything text can, a duration included.
  const Json* typical_value(const WorkflowParam& param) {
    const Json* given = param.default_value ? &*param.default_value : nullptr;
    if (given && !(given->is_string() && has_references(given->get_ref<const std::string&>()))) {
      return given;
    }
    // In ValueType's order.
    static const Json kTypical[] = {Json(nullptr), Json(0),        Json(0.5),
                                    Json(false),   Json::object(), Json::array()};
    if (param.type == ValueType::kString) return nullptr;
    return &kTypical[static_cast<int>(param.type)];
  }

  bool declares_param(const std::string& name) {
    const std::vector<std::string>& names = param_names();
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  void check_params() {
    if (m_.schedule) {
      for (const WorkflowParam& p : m_.param_decls) {
        if (p.default_value) continue;
        error(p.location, "param '" + p.name +
                              "' has no default, but a scheduled run gives no params: give it "
                              "a `default`, or remove `schedule`");
      }
    }
    for_each_reference(
        m_.params, "",
        [&](const std::string& pointer, const Reference& ref) {
          SourceLocation where = m_.params_locations.count(pointer)
                                     ? m_.params_locations.at(pointer)
                                     : m_.name_location;
          if (ref.kind == Reference::Kind::kEnv) {
            check_env(where, ref);
          } else if (ref.kind == Reference::Kind::kSecret) {
            error(where, ref.source +
                             ": params may not hold secrets (they are not masked there); use "
                             "${secrets.NAME} in a task's `with:`");
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

  // `upstream`: each dependency's task, as look_up_dependencies() finds them.
  void check_names_and_dependencies(const std::vector<uint32_t>& upstream) {
    // listed_by[u] == t once task t listed task u: a second listing is reported.
    std::vector<uint32_t> listed_by(m_.tasks.size(), kNoTask);
    size_t next = 0;
    for (uint32_t t = 0; t < m_.tasks.size(); ++t) {
      const TaskSpec& task = m_.tasks[t];
      size_t first_dep = next;
      next += task.depends_on.size();
      if (task.name.empty()) continue;
      uint32_t first = index_.find(task.name);
      if (first != t) report_duplicate(task, m_.tasks[first]);
      for (size_t i = 0; i < task.depends_on.size(); ++i) {
        const std::string& dep = task.depends_on[i];
        uint32_t u = upstream[first_dep + i];
        SourceLocation where = task.depends_on_locations[i];
        if (dep == task.name) {
          error(where, "task '" + task.name + "' depends on itself");
        } else if (u == kNoTask) {
          error(where, "task '" + task.name + "' depends on unknown task '" + dep + "'" +
                           suggest_task(dep));
        } else if (listed_by[u] == t) {
          error(where, "task '" + task.name + "' lists '" + dep + "' twice in depends_on");
        } else {
          listed_by[u] = t;
          check_dependency_roles(task, m_.tasks[u], where);
        }
      }
    }
  }

  void report_duplicate(const TaskSpec& task, const TaskSpec& first) {
    std::string at_line = std::to_string(first.location.line);
    if (task.role == TaskRole::kTask && first.role == TaskRole::kTask) {
      error(task.location,
            "duplicate task name '" + task.name + "' (first defined at line " + at_line + ")");
      return;
    }
    error(task.location, "the name '" + task.name + "' of this " + kind_of(task) +
                             " is taken by the " + kind_of(first) + " at line " + at_line +
                             ": names are unique across tasks and handlers; rename one");
  }

  static std::string kind_of(const TaskSpec& task) {
    return task.role == TaskRole::kTask ? "task" : task_role_list(task.role) + " handler";
  }

  // Handlers run after every task has ended, one list at a time: a task cannot wait for a
  // handler, and a handler waits only for handlers of its own list.
  void check_dependency_roles(const TaskSpec& task, const TaskSpec& upstream,
                              SourceLocation where) {
    if (task.role == upstream.role) return;
    if (task.role == TaskRole::kTask) {
      error(where, "task '" + task.name + "' cannot depend on " + describe_task(upstream) +
                       " (line " + std::to_string(upstream.location.line) +
                       "): handlers run after every task has ended; remove it from depends_on");
    } else {
      error(where, describe_task(task) + " cannot depend on " + describe_task(upstream) +
                       ": a handler may depend only on handlers of its own list (" +
                       task_role_list(task.role) + "); remove it from depends_on");
    }
  }

  void check_cycles(const Dag& dag) {
    std::vector<uint32_t> cycle = dag.find_cycle();
    if (cycle.empty()) return;
    std::string path;
    for (uint32_t t : cycle) path += m_.tasks[t].name + " -> ";
    path += m_.tasks[cycle.front()].name;
    error(m_.tasks[cycle.front()].location, "dependency cycle: " + path);
  }

  // What `uses` names, or why it names nothing: the same for every task with the same `uses`.
  struct UsesOutcome {
    TaskTypeRef type;
    std::string problem;
  };

  TaskTypeRef check_uses(const TaskSpec& task) {
    if (task.uses.empty()) return {};
    auto it = uses_.find(task.uses);
    if (it == uses_.end()) it = uses_.emplace(task.uses, resolve_uses(task.uses)).first;
    if (!it->second.problem.empty()) error(task.uses_location, it->second.problem);
    return it->second.type;
  }

  UsesOutcome resolve_uses(const std::string& uses) {
    if (uses == kWorkflowRunType) return {};  // the host's own (manifest/subworkflow_validation.h)
    size_t dot = uses.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == uses.size()) {
      return {{}, "`uses: " + uses + "` must name a plugin and a task type, e.g. builtin.noop"};
    }
    std::string plugin_name = uses.substr(0, dot);
    std::string type_name = uses.substr(dot + 1);
    std::shared_ptr<const LoadedPlugin> plugin = plugins_.find(plugin_name);
    if (!plugin) {
      std::string message = "unknown plugin '" + plugin_name + "'" +
                            did_you_mean(plugin_name, plugins_.plugin_names()) +
                            "; loaded plugins: " + join(plugins_.plugin_names());
      if (!plugins_.failures().empty()) {
        message += " (" + std::to_string(plugins_.failures().size()) +
                   " plugin file(s) failed to load: `flowweaver plugins` shows why)";
      }
      return {{}, message};
    }
    TaskTypeRef ref = plugins_.find_task_type(uses);
    if (!ref.type) {
      return {{},
              "plugin '" + plugin_name + "' has no task type '" + type_name + "'" +
                  did_you_mean(type_name, plugin->task_type_names()) +
                  "; it has: " + join(plugin->task_type_names())};
    }
    return {ref, ""};
  }

  void check_with(const TaskSpec& task, const TaskTypeInfo& type) {
    for (auto it = task.with.begin(); it != task.with.end(); ++it) {
      SourceLocation where = with_location(task, "/" + it.key());
      const ParamDecl* decl = type.find_param(it.key());
      if (!decl) {
        if (!type.open_params) report_unknown_param(task, type, it.key(), where);
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

  void report_unknown_param(const TaskSpec& task, const TaskTypeInfo& type, const std::string& key,
                            SourceLocation where) {
    std::vector<std::string> declared;
    for (const ParamDecl& p : type.params) declared.push_back(p.name);
    error(where, "task '" + task.name + "': " + task.uses + " has no parameter '" + key + "'" +
                     did_you_mean(key, declared) +
                     (declared.empty() ? "; it takes none" : "; it takes: " + join(declared)));
  }

  // Checks what can be known before running: literal values, and whole-value references to
  // params. Values from env or upstream outputs are checked when the task is called.
  void check_value_type(const TaskSpec& task, const ParamDecl& decl, const Json& value,
                        SourceLocation where) {
    static const Json kSplicedText = "text";  // what a reference inside longer text makes
    const Json* effective = &value;
    if (value.is_string() && has_references(value.get_ref<const std::string&>())) {
      std::vector<TemplatePart> parts;
      try {
        parts = parse_template(value.get_ref<const std::string&>());
      } catch (const std::invalid_argument&) {
        return;  // reported by check_references
      }
      if (parts.size() != 1 || !parts[0].reference) {
        effective = &kSplicedText;
        if (decl.type == "duration") return;
      } else if (parts[0].reference->kind == Reference::Kind::kParams) {
        const WorkflowParam* param = find_param(parts[0].reference->name);
        if (!param) return;  // reported by check_references
        effective = typical_value(*param);
        if (!effective) return;
      } else if (parts[0].reference->kind == Reference::Kind::kSecret) {
        effective = &kSplicedText;  // a secret is always text
        if (decl.type == "duration") return;
      } else {
        return;
      }
    }
    if (!value_has_type(*effective, decl.type)) {
      std::string got = effective->type_name();
      if (decl.type == "duration" && effective->is_string()) {
        error(where, "task '" + task.name + "': parameter '" + decl.name + "': '" +
                         effective->get<std::string>() +
                         "' is not a duration; write a number and a unit: 500ms, 30s, 5m or 1h");
      } else {
        error(where, "task '" + task.name + "': parameter '" + decl.name + "' must be " +
                         decl.type + ", not " + got);
      }
    }
  }

  void check_env(SourceLocation where, const Reference& ref) {
    std::string_view secret_prefix = "FLOWWEAVER_SECRET_";
    if (ref.name.starts_with(secret_prefix)) {
      std::string name = ref.name.substr(secret_prefix.size());
      error(where, ref.source +
                       ": a secret read as an environment variable would not be masked: "
                       "declare it (secrets: [" +
                       name + "]) and write ${secrets." + name + "}");
      return;
    }
    if (!ref.fallback && !env_(ref.name)) {
      error(where, ref.source + ": environment variable " + ref.name +
                       " is not set (set it, or give a default: ${env." + ref.name + ":-value})");
    }
  }

  void check_matrix_reference(const TaskSpec& task, const SourceLocation& where,
                              const Reference& ref) {
    if (!task.fan_out || task.fan_out->kind != FanOut::Kind::kMatrix) {
      error(where, ref.source + ": only a task with `matrix:` has matrix values; add `matrix:` " +
                       "to '" + task.name + "' or remove the reference");
      return;
    }
    std::vector<std::string> axes;
    for (const auto& [axis, values] : task.fan_out->axes) axes.push_back(axis);
    if (std::find(axes.begin(), axes.end(), ref.name) == axes.end()) {
      error(where, ref.source + ": the matrix of '" + task.name + "' has no '" + ref.name + "'" +
                       did_you_mean(ref.name, axes) + "; it has: " + join(axes));
    }
  }

  // False (after reporting) when `ref`, a ${params.NAME}, names no declared param.
  bool check_param_reference(SourceLocation where, const Reference& ref) {
    if (declares_param(ref.name)) return true;
    error(where, ref.source + ": no param '" + ref.name + "'" +
                     did_you_mean(ref.name, param_names()) +
                     (param_names().empty() ? "; the manifest declares no `params`"
                                            : "; params: " + join(param_names())));
    return false;
  }

  // `deps`: the task's depends_on, whose outputs are the only ones it may read.
  void check_task_reference(const TaskSpec& task, SourceLocation where, const Reference& ref,
                            const std::unordered_set<std::string_view>& deps) {
    if (!index_.contains(ref.name)) {
      error(where, ref.source + ": no task '" + ref.name + "'" + suggest_task(ref.name));
    } else if (task.role != m_.tasks[index_.find(ref.name)].role) {
      error(where, ref.source + ": " + describe_task(task) +
                       " can read the outputs of handlers of its own list only; a "
                       "handler sees the run's outcome as ${run.status} and "
                       "${run.failed_tasks}");
    } else if (!deps.count(ref.name)) {
      error(where, ref.source + ": task '" + task.name + "' must list '" + ref.name +
                       "' in depends_on to use its output");
    }
  }

  // A `foreach:` string: the same rules as a reference in `with:`, and a list it must give.
  void check_foreach_reference(const TaskSpec& task) {
    if (!task.fan_out || !task.fan_out->items.is_string()) return;
    std::optional<Reference> ref = foreach_reference(task, diagnostics_);
    if (!ref) return;
    SourceLocation where = task.fan_out->location;
    if (ref->kind == Reference::Kind::kParams) {
      if (check_param_reference(where, *ref)) {
        check_foreach_param(task, *find_param(ref->name), *ref, diagnostics_);
      }
    } else {
      std::unordered_set<std::string_view> deps(task.depends_on.begin(), task.depends_on.end());
      check_task_reference(task, where, *ref, deps);
    }
  }

  // `deps`: the task's depends_on as a set, built at the first ${tasks...} that needs it.
  using DependencySet = std::optional<std::unordered_set<std::string_view>>;

  void check_reference(const TaskSpec& task, SourceLocation where, const Reference& ref,
                       DependencySet* deps) {
    switch (ref.kind) {
      case Reference::Kind::kParams:
        check_param_reference(where, ref);
        break;
      case Reference::Kind::kEnv:
        check_env(where, ref);
        break;
      case Reference::Kind::kTask:
        if (!*deps) deps->emplace(task.depends_on.begin(), task.depends_on.end());
        check_task_reference(task, where, ref, **deps);
        break;
      case Reference::Kind::kSecret:
        check_secret_reference(where, ref);
        break;
      case Reference::Kind::kItem:
      case Reference::Kind::kItemIndex:
        if (!task.fan_out || task.fan_out->kind != FanOut::Kind::kForEach) {
          error(where, ref.source + ": only a task with `foreach:` has an item; add " +
                           "`foreach:` to '" + task.name + "' or remove the reference");
        }
        break;
      case Reference::Kind::kMatrix:
        check_matrix_reference(task, where, ref);
        break;
      case Reference::Kind::kManifestDir:
      case Reference::Kind::kRun:
      case Reference::Kind::kWorkflowName:
        break;
    }
  }

  void check_references(const TaskSpec& task) {
    if (task.with.empty()) return;
    DependencySet deps;
    for_each_reference(
        task.with, "",
        [&](const std::string& pointer, const Reference& ref) {
          check_reference(task, with_location(task, pointer), ref, &deps);
        },
        [&](const std::string& pointer, const std::string& message) {
          error(with_location(task, pointer), message);
        });
  }

  // References inside a literal `foreach:` list are resolved with the list, when the task
  // becomes ready: the rules of `with:`, except that the list cannot refer to its own items.
  // Errors point at the list: its items' positions are not kept.
  void check_foreach_list_references(const TaskSpec& task) {
    if (!task.fan_out || !task.fan_out->items.is_array()) return;
    SourceLocation where = task.fan_out->location;
    DependencySet deps;
    // "/1/path" as "1.path", as ${item.PATH} writes a path.
    auto item_path = [](std::string pointer) {
      std::replace(pointer.begin(), pointer.end(), '/', '.');
      return pointer.substr(1);
    };
    for_each_reference(
        task.fan_out->items, "",
        [&](const std::string& pointer, const Reference& ref) {
          bool own_item = ref.kind == Reference::Kind::kItem ||
                          ref.kind == Reference::Kind::kItemIndex ||
                          ref.kind == Reference::Kind::kMatrix;
          if (own_item) {
            error(where, "`foreach` item " + item_path(pointer) + ": " + ref.source +
                             " is a value of one call, and the list makes the calls: use it "
                             "in `with:`");
          } else {
            check_reference(task, where, ref, &deps);
          }
        },
        [&](const std::string& pointer, const std::string& message) {
          error(where, "`foreach` item " + item_path(pointer) + ": " + message);
        });
  }

  const Manifest& m_;
  const PluginRegistry& plugins_;
  const EnvLookup& env_;
  DiagnosticList* diagnostics_;
  TaskIndex index_;
  std::unordered_map<std::string, UsesOutcome> uses_;
  std::unordered_map<std::string, std::string> task_suggestions_;
  std::vector<std::string> task_names_;                   // built on first use
  std::optional<std::vector<std::string>> param_names_;   // built on first use
  std::optional<std::vector<std::string>> secret_names_;  // built on first use
};

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

void validate_manifest(const Manifest& manifest, const PluginRegistry& plugins,
                       const EnvLookup& env, DiagnosticList* diagnostics,
                       ValidationResult* result) {
  ValidationResult found = Validator(manifest, plugins, env, diagnostics).run();
  if (result) *result = std::move(found);
}

std::unordered_map<std::string, uint32_t> index_tasks(const Manifest& manifest) {
  std::unordered_map<std::string, uint32_t> index;
  index.reserve(manifest.tasks.size());
  for (uint32_t i = 0; i < manifest.tasks.size(); ++i) index.emplace(manifest.tasks[i].name, i);
  return index;
}

Dag build_dag(const Manifest& manifest) {
  return build_dag(manifest, look_up_dependencies(manifest, TaskIndex(manifest.tasks)));
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
