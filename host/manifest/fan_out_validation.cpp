#include "manifest/fan_out_validation.h"

#include "manifest/flow_names.h"

namespace flowweaver {
namespace {

const char* const kForeachForms =
    "a list, e.g. [a, b], or exactly one reference to a list: ${tasks.NAME.output.PATH} or "
    "${params.NAME}";

}  // namespace

std::optional<Reference> foreach_reference(const TaskSpec& task, DiagnosticList* diagnostics) {
  const std::string& text = task.fan_out->items.get_ref<const std::string&>();
  SourceLocation where = task.fan_out->location;
  std::vector<TemplatePart> parts;
  try {
    parts = parse_template(text);
  } catch (const std::invalid_argument& e) {
    diagnostics->add(where, std::string("`foreach`: ") + e.what());
    return std::nullopt;
  }
  if (parts.size() != 1 || !parts[0].reference) {
    diagnostics->add(where,
                     "`foreach` value '" + text + "' must be " + kForeachForms +
                         (parts.size() > 1 ? " (text around a reference makes a string)" : ""));
    return std::nullopt;
  }
  const Reference& ref = *parts[0].reference;
  if (ref.kind != Reference::Kind::kTask && ref.kind != Reference::Kind::kParams) {
    diagnostics->add(where, "`foreach: " + ref.source + "`: a foreach list comes from an " +
                                "upstream task's output or a param: ${tasks.NAME.output.PATH} " +
                                "or ${params.NAME}");
    return std::nullopt;
  }
  return ref;
}

void check_foreach_param(const TaskSpec& task, const WorkflowParam& param, const Reference& ref,
                         DiagnosticList* diagnostics) {
  if (param.type == ValueType::kArray) return;
  diagnostics->add(task.fan_out->location,
                   "`foreach: " + ref.source + "`: " + describe_task(task) +
                       " runs once per item of a list, but param '" + param.name + "' is " +
                       to_string(param.type) + " (line " + std::to_string(param.location.line) +
                       "); declare it `type: array`, or give it a list as its default");
}

}  // namespace flowweaver
