#include "manifest/workflow_outputs.h"

#include <stdexcept>

#include "manifest/manifest_reader.h"
#include "manifest/task_index.h"
#include "manifest/template.h"
#include "manifest/validator.h"
#include "manifest/yaml_value.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

SourceLocation output_location(const Manifest& m, const std::string& pointer) {
  auto it = m.outputs_locations.find(pointer);
  return it != m.outputs_locations.end() ? it->second : m.outputs_location;
}

std::vector<std::string> dag_task_names(const Manifest& m) {
  std::vector<std::string> names;
  for (const TaskSpec& t : m.tasks) {
    if (t.role == TaskRole::kTask) names.push_back(t.name);
  }
  return names;
}

std::vector<std::string> param_names(const Manifest& m) {
  std::vector<std::string> names;
  for (const WorkflowParam& p : m.param_decls) names.push_back(p.name);
  return names;
}

// The problem with one reference in `outputs:`, or "" when it is fine.
std::string output_reference_problem(const Manifest& m, const TaskIndex& index,
                                     const Reference& ref) {
  switch (ref.kind) {
    case Reference::Kind::kTask: {
      uint32_t t = index.find(ref.name);
      if (t != TaskIndex::kNotFound && m.tasks[t].role == TaskRole::kTask) return "";
      std::vector<std::string> names = dag_task_names(m);
      return ref.source + ": no task '" + ref.name + "'" + did_you_mean(ref.name, names) +
             " (outputs read the tasks of the DAG; handlers have none to give)";
    }
    case Reference::Kind::kParams: {
      std::vector<std::string> names = param_names(m);
      for (const std::string& name : names) {
        if (name == ref.name) return "";
      }
      return ref.source + ": no param '" + ref.name + "'" + did_you_mean(ref.name, names) +
             (names.empty() ? "; the manifest declares no `params`" : "; params: " + join(names));
    }
    case Reference::Kind::kEnv:
    case Reference::Kind::kManifestDir:
      return "";
    default:
      return ref.source +
             ": outputs may refer to ${tasks.NAME.output...}, ${params.NAME}, ${env.NAME} and "
             "${manifest.dir} only (a secret would leave the workflow unmasked)";
  }
}

}  // namespace

void read_workflow_outputs(const YamlNode& node, Manifest* manifest, DiagnosticList* diagnostics) {
  manifest->outputs_location = node.location();
  if (node.is_null()) return;
  if (!node.is_map()) {
    diagnostics->add(node.location(),
                     "`outputs` must be a map of names to values, e.g. outputs: {total: "
                     "${tasks.merge.output.total}}");
    return;
  }
  manifest->outputs = yaml_to_json(node, "", &manifest->outputs_locations, diagnostics);
  for (auto it = manifest->outputs.begin(); it != manifest->outputs.end(); ++it) {
    if (!is_valid_name(it.key())) {
      diagnostics->add(
          output_location(*manifest, "/" + it.key()),
          "output name '" + it.key() + "' may contain only letters, digits, '_' and '-'");
    }
  }
}

void check_workflow_outputs(const Manifest& manifest, const TaskIndex& index,
                            DiagnosticList* diagnostics) {
  if (manifest.outputs.empty()) return;
  for_each_reference(
      manifest.outputs, "",
      [&](const std::string& pointer, const Reference& ref) {
        std::string problem = output_reference_problem(manifest, index, ref);
        if (!problem.empty()) diagnostics->add(output_location(manifest, pointer), problem);
      },
      [&](const std::string& pointer, const std::string& message) {
        diagnostics->add(output_location(manifest, pointer), message);
      });
}

Json resolve_workflow_outputs(const Manifest& manifest, const Json& params,
                              const std::function<const Json*(const std::string&)>& task_output) {
  TemplateScope scope;
  scope.params = &params;
  scope.manifest_dir = manifest_directory(manifest.file);
  scope.task_output = task_output;
  scope.env = process_env;
  Json outputs = Json::object();
  for (auto it = manifest.outputs.begin(); it != manifest.outputs.end(); ++it) {
    try {
      outputs[it.key()] = resolve_templates(it.value(), scope);
    } catch (const std::exception& e) {
      throw std::runtime_error("output '" + it.key() + "': " + e.what());
    }
  }
  return outputs;
}

}  // namespace flowweaver
