#include "manifest/param_reader.h"

#include <unordered_map>

#include "manifest/manifest_reader.h"
#include "manifest/template.h"
#include "manifest/yaml_field_reader.h"
#include "manifest/yaml_value.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

const std::vector<std::string> kDeclarationKeys = {"type", "enum", "default", "description"};

// A map with any of the declaration's keys is a declaration; any other value is a constant
// (an object constant with such a key is written as a declaration: type: object, default: …).
bool is_declaration(const YamlNode& node) {
  if (!node.is_map()) return false;
  for (const std::string& key : kDeclarationKeys) {
    if (node.find(key)) return true;
  }
  return false;
}

// A default made of references (${env.…}) gets its type when a run resolves it.
bool is_template(const Json& value) {
  return value.is_string() && has_references(value.get_ref<const std::string&>());
}

std::string shown(const Json& value) { return value.dump(); }

class ParamReader : private YamlFieldReader {
 public:
  ParamReader(Manifest* manifest, DiagnosticList* diagnostics)
      : YamlFieldReader(diagnostics), manifest_(manifest), diagnostics_(diagnostics) {}

  void read(const YamlNode& params) {
    for (size_t i = 0; i < params.size(); ++i) {
      YamlNode key = params.key(i);
      if (!key.is_scalar()) {
        error(key, "a param's name must be text, e.g. target");
        continue;
      }
      std::string name(key.scalar());
      auto [first, is_new] = lines_.emplace(name, key.location().line);
      if (!is_new) {
        error(key, "duplicate key '" + name + "' (first given at line " +
                       std::to_string(first->second) + ")");
        continue;
      }
      if (!is_valid_name(name)) {
        error(key, "param name '" + name + "' may contain only letters, digits, '_' and '-'");
        continue;
      }
      WorkflowParam param;
      param.name = name;
      param.location = key.location();
      YamlNode value = params.value(i);
      bool ok =
          is_declaration(value) ? read_declaration(value, &param) : read_constant(value, &param);
      if (ok) manifest_->param_decls.push_back(std::move(param));
    }
  }

 private:
  bool read_constant(const YamlNode& node, WorkflowParam* param) {
    Json value = to_json(node, param->name);
    std::optional<ValueType> type = type_of_value(value);
    if (!type) {
      error(node, "param '" + param->name + "' has no value: give a constant (" + param->name +
                      ": 50) or declare it ({type: string}, with a `default` or none to make "
                      "it required)");
      return false;
    }
    param->type = *type;
    set_default(param, std::move(value), node.location());
    return true;
  }

  bool read_declaration(const YamlNode& node, WorkflowParam* param) {
    check_keys(node, kDeclarationKeys, "in param '" + param->name + "'");
    bool ok = true;
    std::optional<Json> default_value;
    if (YamlNode d = node.find("default")) default_value = to_json(d, param->name);
    if (YamlNode t = node.find("type")) {
      if (!read_type(t, param)) return false;  // nothing else can be checked against it
    } else if (default_value && type_of_value(*default_value) && !is_template(*default_value)) {
      param->type = *type_of_value(*default_value);
    } else {
      error(node, "param '" + param->name + "' needs a `type`: one of " + join(value_type_names()));
      return false;
    }
    if (YamlNode d = node.find("description")) {
      if (auto s = read_string(d, "description")) param->description = *s;
    }
    if (YamlNode e = node.find("enum")) ok = read_enum(e, param) && ok;
    if (default_value) {
      YamlNode d = node.find("default");
      ok = check_default(d, *param, *default_value) && ok;
      set_default(param, std::move(*default_value), d.location());
    }
    return ok;
  }

  bool read_type(const YamlNode& node, WorkflowParam* param) {
    std::string text = node.is_scalar() ? std::string(node.scalar()) : "";
    std::optional<ValueType> type = parse_value_type(text);
    if (!type) {
      error(node, "param '" + param->name + "': unknown type '" + text + "'" +
                      did_you_mean(text, value_type_names()) +
                      "; types: " + join(value_type_names()));
      return false;
    }
    param->type = *type;
    return true;
  }

  bool read_enum(const YamlNode& node, WorkflowParam* param) {
    if (!node.is_sequence() || node.size() == 0) {
      error(node, "param '" + param->name +
                      "': `enum` must be a list of the allowed values, "
                      "e.g. [staging, prod]");
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < node.size(); ++i) {
      YamlNode item = node.item(i);
      Json value = yaml_to_json(item, "", nullptr, diagnostics_);
      if (!value_fits(value, param->type)) {
        error(item, "param '" + param->name + "': enum value " + shown(value) + " is not " +
                        article(param->type) + " (the param's type)");
        ok = false;
        continue;
      }
      param->enum_values.push_back(std::move(value));
    }
    return ok;
  }

  bool check_default(const YamlNode& node, const WorkflowParam& param, const Json& value) {
    if (is_template(value)) return true;  // typed when a run resolves it
    if (!value_fits(value, param.type)) {
      error(node, "param '" + param.name + "': default " + shown(value) + " is not " +
                      article(param.type) + " (the param's type)");
      return false;
    }
    std::string problem = enum_problem(param, value);
    if (!problem.empty()) {
      error(node, "param '" + param.name + "': default " + problem);
      return false;
    }
    return true;
  }

  static std::string article(ValueType type) {
    return (type == ValueType::kInteger || type == ValueType::kObject || type == ValueType::kArray
                ? "an "
                : "a ") +
           std::string(to_string(type));
  }

  void set_default(WorkflowParam* param, Json value, SourceLocation where) {
    param->default_location = where;
    manifest_->params[param->name] = value;
    param->default_value = std::move(value);
  }

  Json to_json(const YamlNode& node, const std::string& name) {
    return yaml_to_json(node, "/" + name, &manifest_->params_locations, diagnostics_);
  }

  Manifest* manifest_;
  DiagnosticList* diagnostics_;
  std::unordered_map<std::string, int> lines_;  // each name read so far -> its line
};

}  // namespace

void read_workflow_params(const YamlNode& params, Manifest* manifest, DiagnosticList* diagnostics) {
  ParamReader(manifest, diagnostics).read(params);
}

}  // namespace flowweaver
