// References inside `with:` values: ${params.NAME}, ${env.NAME}, ${env.NAME:-default},
// ${tasks.NAME.output.PATH} (PATH a dotted path into the upstream output; list items by
// index), ${secrets.NAME} (a secret the manifest declares), ${manifest.dir}, the run's own
// ${run.id}, ${run.started_at}, ${run.status}, ${run.failed_tasks} (exec/run_context.h) and
// ${workflow.name}; in a foreach task ${item} (or ${item.PATH}) and ${item_index}, in a matrix
// task ${matrix.NAME}. "$${" writes a literal "${".
//
// A string that is exactly one reference takes the referenced value with its JSON type
// (`${params.limit}` stays a number); a reference inside longer text is spliced in as text.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowweaver {

class RunContext;

// The fields ${run.FIELD} may name.
const std::vector<std::string>& run_fields();

struct Reference {
  enum class Kind {
    kParams,
    kEnv,
    kTask,
    kSecret,
    kManifestDir,
    kRun,
    kWorkflowName,
    kItem,
    kItemIndex,
    kMatrix
  };
  Kind kind = Kind::kParams;
  // param, env var, task or secret name; for kRun the field (run_fields()); kMatrix the axis
  std::string name;
  std::vector<std::string> path;        // kTask: the part after `output`; kItem: after `item`
  std::optional<std::string> fallback;  // for kEnv: the text after ":-"
  std::string source;                   // the whole "${...}" as written
};

struct TemplatePart {
  std::string literal;  // used when reference is empty
  std::optional<Reference> reference;
};

// Splits `text` into literal text and references. Throws std::invalid_argument with a message
// naming the bad expression when the syntax is wrong.
std::vector<TemplatePart> parse_template(std::string_view text);

// True when `text` contains anything to substitute.
bool has_references(std::string_view text);

// Where references take their values from during a run.
struct TemplateScope {
  const nlohmann::json* params = nullptr;
  std::string manifest_dir;
  // The run being run, for ${run.…} and ${workflow.name}; nullptr outside a run.
  const RunContext* run = nullptr;
  // The parsed output of an upstream task, or nullptr when it has none available.
  std::function<const nlohmann::json*(const std::string&)> task_output;
  std::function<std::optional<std::string>(const std::string&)> env = [](const std::string&) {
    return std::nullopt;
  };
  // The call's item (a foreach task's; a list of them with batch_size) and its index, and a
  // matrix task's combination (an object by axis); nullptr / nullopt outside such a call.
  const nlohmann::json* item = nullptr;
  std::optional<size_t> item_index;
  const nlohmann::json* matrix = nullptr;
  // A declared secret's value; nullopt for an undeclared name.
  std::function<std::optional<std::string>(const std::string&)> secret = [](const std::string&) {
    return std::nullopt;
  };
};

// What ${manifest.dir} means for the manifest at `manifest_file`: its absolute directory.
std::string manifest_directory(const std::string& manifest_file);

// The value `ref` denotes; throws std::runtime_error naming the reference when it cannot be
// resolved (unset env var, missing path in an upstream output).
nlohmann::json resolve_reference(const Reference& ref, const TemplateScope& scope);

// A copy of `value` with every reference in every string replaced.
nlohmann::json resolve_templates(const nlohmann::json& value, const TemplateScope& scope);

// Every reference inside `value`, with the JSON pointer of the string that holds it; syntax
// errors are passed to `on_error` with the pointer.
void for_each_reference(
    const nlohmann::json& value, const std::string& pointer,
    const std::function<void(const std::string&, const Reference&)>& visit,
    const std::function<void(const std::string&, const std::string&)>& on_error);

}  // namespace flowweaver
