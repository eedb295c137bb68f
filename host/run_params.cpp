#include "run_params.h"

#include <fstream>
#include <sstream>

#include "manifest/template.h"
#include "util/error.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

using Json = nlohmann::json;

const WorkflowParam* find_param(const Manifest& m, const std::string& name) {
  for (const WorkflowParam& p : m.param_decls) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string unknown_param(const Manifest& m, const std::string& name) {
  std::vector<std::string> names;
  for (const WorkflowParam& p : m.param_decls) names.push_back(p.name);
  return "unknown parameter '" + name + "'" + did_you_mean(name, names) +
         (names.empty() ? "; workflow '" + m.name + "' declares no `params`"
                        : "; workflow '" + m.name + "' has: " + join(names));
}

std::string shown(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Throws the problems, one per line.
void refuse_if_any(const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  std::string message;
  for (const std::string& p : problems) message += (message.empty() ? "" : "\n") + p;
  throw ParamsRefused(message);
}

std::string give_hint(const WorkflowParam& p, ParamSource source) {
  if (source == ParamSource::kCommandLine) return "pass --param " + p.name + "=VALUE";
  return "add \"" + p.name + "\" to \"params\" in the request body";
}

// "" when `value` suits `p`, else why not.
std::string value_problem(const WorkflowParam& p, const Json& value) {
  if (!value_fits(value, p.type)) {
    return "parameter '" + p.name + "' must be " + to_string(p.type) + ", not " +
           value.type_name() + " " + value.dump();
  }
  std::string problem = enum_problem(p, value);
  return problem.empty() ? "" : "parameter '" + p.name + "': " + problem;
}

Json read_param_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ParamsRefused("--param-file " + path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  Json j = Json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw ParamsRefused("--param-file " + path +
                        ": must hold a JSON object of parameter names to values, e.g. "
                        "{\"target\": \"prod\", \"batch\": 10}");
  }
  return j;
}

Json resolve_default(const WorkflowParam& p, const TemplateScope& scope,
                     std::vector<std::string>* problems) {
  const Json& written = *p.default_value;
  Json value;
  try {
    value = resolve_templates(written, scope);
  } catch (const std::exception& e) {
    problems->push_back("parameter '" + p.name + "': its default: " + e.what());
    return nullptr;
  }
  bool from_text = written.is_string() && has_references(written.get_ref<const std::string&>());
  if (from_text && value.is_string() && p.type != ValueType::kString) {
    std::string why;
    std::optional<Json> typed = parse_param_text(value.get<std::string>(), p.type, &why);
    if (!typed) {
      problems->push_back("parameter '" + p.name + "': from its default " + shown(written) + ": " +
                          why);
      return nullptr;
    }
    value = std::move(*typed);
  }
  std::string problem = value_problem(p, value);
  if (!problem.empty()) problems->push_back(problem + " (from its default " + written.dump() + ")");
  return value;
}

}  // namespace

Json params_from_command_line(const Manifest& manifest, const std::vector<std::string>& assignments,
                              const std::string& param_file) {
  Json given = param_file.empty() ? Json::object() : read_param_file(param_file);
  check_given_params(manifest, given, ParamSource::kCommandLine);
  std::vector<std::string> problems;
  for (const std::string& assignment : assignments) {
    size_t eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
      problems.push_back("--param '" + assignment +
                         "': write NAME=VALUE, e.g. --param target=prod");
      continue;
    }
    std::string name = assignment.substr(0, eq);
    const WorkflowParam* p = find_param(manifest, name);
    if (!p) {
      problems.push_back("--param " + assignment + ": " + unknown_param(manifest, name));
      continue;
    }
    std::string why;
    std::optional<Json> value = parse_param_text(assignment.substr(eq + 1), p->type, &why);
    if (!value) {
      problems.push_back("--param " + assignment + ": parameter '" + name + "' is " +
                         to_string(p->type) + ", and " + why);
      continue;
    }
    std::string problem = enum_problem(*p, *value);
    if (!problem.empty()) {
      problems.push_back("--param " + assignment + ": " + problem);
      continue;
    }
    given[name] = std::move(*value);
  }
  refuse_if_any(problems);
  return given;
}

void check_given_params(const Manifest& manifest, const Json& given, ParamSource source) {
  std::string where = source == ParamSource::kCommandLine ? "--param-file: " : "";
  if (!given.is_object()) {
    throw ParamsRefused(where + "\"params\" must be a JSON object of parameter names to values");
  }
  std::vector<std::string> problems;
  for (auto it = given.begin(); it != given.end(); ++it) {
    const WorkflowParam* p = find_param(manifest, it.key());
    std::string problem = p ? value_problem(*p, it.value()) : unknown_param(manifest, it.key());
    if (!problem.empty()) problems.push_back(where + problem);
  }
  refuse_if_any(problems);
}

Json resolve_run_params(const Manifest& manifest, const Json& given, const EnvLookup& env,
                        ParamSource source) {
  check_given_params(manifest, given, source);
  TemplateScope scope;
  scope.env = env;
  scope.manifest_dir = manifest_directory(manifest.file);
  Json values = Json::object();
  std::vector<std::string> problems;
  for (const WorkflowParam& p : manifest.param_decls) {
    if (given.contains(p.name)) {
      values[p.name] = given[p.name];
    } else if (p.default_value) {
      values[p.name] = resolve_default(p, scope, &problems);
    } else {
      problems.push_back("parameter '" + p.name +
                         "' is required (it has no default): " + give_hint(p, source));
    }
  }
  refuse_if_any(problems);
  return values;
}

Json resume_run_params(const Manifest& manifest, const Json& stored, const Json& given,
                       const std::string& run_id, const EnvLookup& env, ParamSource source) {
  check_given_params(manifest, given, source);
  std::vector<std::string> problems;
  Json added = Json::object();  // given for parameters the run has no value of
  for (auto it = given.begin(); it != given.end(); ++it) {
    auto old = stored.find(it.key());
    if (old == stored.end()) {
      added[it.key()] = it.value();
      continue;
    }
    if (*old == it.value()) continue;
    std::string was = shown(*old);
    problems.push_back("parameter '" + it.key() + "': run " + run_id + " was started with " +
                       it.key() + "=" + was + ", not " + shown(it.value()) +
                       (source == ParamSource::kCommandLine
                            ? ": resume it without --param (or with the same values), or start "
                              "a new run with --fresh"
                            : ": resume it without \"params\" (or with the same values), or "
                              "cancel it to start a new run"));
  }
  refuse_if_any(problems);
  Manifest declared_since;  // the parameters the run was created without
  declared_since.name = manifest.name;
  declared_since.file = manifest.file;
  for (const WorkflowParam& p : manifest.param_decls) {
    if (!stored.contains(p.name)) declared_since.param_decls.push_back(p);
  }
  Json values = stored;
  values.update(resolve_run_params(declared_since, added, env, source));
  return values;
}

}  // namespace flowweaver
