#include "manifest/template.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "exec/run_context.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Reference parse_reference(std::string_view body, std::string source) {
  Reference ref;
  ref.source = std::move(source);
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("bad reference " + ref.source + ": " + why);
  };
  if (body == "manifest.dir") {
    ref.kind = Reference::Kind::kManifestDir;
    return ref;
  }
  if (body.starts_with("env.")) {
    std::string_view rest = body.substr(4);
    size_t fallback = rest.find(":-");
    if (fallback != std::string_view::npos) {
      ref.fallback = std::string(rest.substr(fallback + 2));
      rest = rest.substr(0, fallback);
    }
    if (rest.empty()) throw bad("expected ${env.NAME}");
    ref.kind = Reference::Kind::kEnv;
    ref.name = rest;
    return ref;
  }
  std::vector<std::string> parts = split(body, '.');
  for (const std::string& part : parts) {
    if (part.empty()) throw bad("empty name between dots");
  }
  if (parts[0] == "run") {
    if (parts.size() != 2) throw bad("expected ${run.FIELD}, one of: " + join(run_fields()));
    if (std::find(run_fields().begin(), run_fields().end(), parts[1]) == run_fields().end()) {
      throw bad("the run has no field '" + parts[1] + "'" + did_you_mean(parts[1], run_fields()) +
                "; it has: " + join(run_fields()));
    }
    ref.kind = Reference::Kind::kRun;
    ref.name = parts[1];
    return ref;
  }
  if (parts[0] == "workflow") {
    if (parts.size() != 2 || parts[1] != "name") throw bad("expected ${workflow.name}");
    ref.kind = Reference::Kind::kWorkflowName;
    return ref;
  }
  if (parts[0] == "item") {
    ref.kind = Reference::Kind::kItem;
    ref.path.assign(parts.begin() + 1, parts.end());
    return ref;
  }
  if (parts[0] == "item_index") {
    if (parts.size() != 1) throw bad("expected ${item_index}");
    ref.kind = Reference::Kind::kItemIndex;
    return ref;
  }
  if (parts[0] == "matrix") {
    if (parts.size() != 2) throw bad("expected ${matrix.NAME}");
    ref.kind = Reference::Kind::kMatrix;
    ref.name = parts[1];
    return ref;
  }
  if (parts[0] == "params") {
    if (parts.size() != 2) throw bad("expected ${params.NAME}");
    ref.kind = Reference::Kind::kParams;
    ref.name = parts[1];
    return ref;
  }
  if (parts[0] == "secrets") {
    if (parts.size() != 2) throw bad("expected ${secrets.NAME}");
    ref.kind = Reference::Kind::kSecret;
    ref.name = parts[1];
    return ref;
  }
  if (parts[0] == "tasks") {
    if (parts.size() < 3 || parts[2] != "output") {
      throw bad("expected ${tasks.NAME.output} or ${tasks.NAME.output.PATH}");
    }
    ref.kind = Reference::Kind::kTask;
    ref.name = parts[1];
    ref.path.assign(parts.begin() + 3, parts.end());
    return ref;
  }
  throw bad(
      "it must start with params., env., tasks., secrets., run., matrix. or be manifest.dir, "
      "workflow.name, item or item_index");
}

std::string as_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

nlohmann::json run_field(const Reference& ref, const RunContext& run) {
  if (ref.name == "id") return run.run_id();
  if (ref.name == "started_at") return run.started_at();
  if (ref.name == "status") return run.status();
  return join(run.failed_tasks(), ",");
}

// `value` at `path` (object keys, list indexes); `what` names `value` in the error.
const nlohmann::json& walk(const nlohmann::json& value, const std::vector<std::string>& path,
                           const Reference& ref, std::string what) {
  const nlohmann::json* at = &value;
  for (const std::string& step : path) {
    const nlohmann::json* next = nullptr;
    if (at->is_object() && at->contains(step)) {
      next = &(*at)[step];
    } else if (at->is_array() && !step.empty() &&
               step.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(step) < at->size()) {
      next = &(*at)[std::stoul(step)];
    }
    if (next == nullptr)
      throw std::runtime_error(ref.source + ": " + what + " has no '" + step + "'");
    at = next;
    what += "." + step;
  }
  return *at;
}

}  // namespace

const std::vector<std::string>& run_fields() {
  static const std::vector<std::string> fields = {"id", "started_at", "status", "failed_tasks"};
  return fields;
}

std::vector<TemplatePart> parse_template(std::string_view text) {
  std::vector<TemplatePart> parts;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      literal += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      throw std::invalid_argument("unterminated reference '" + std::string(text.substr(i)) +
                                  "': add the closing '}' (write $${ for a literal ${)");
    }
    if (!literal.empty()) parts.push_back({std::move(literal), std::nullopt});
    literal.clear();
    std::string source(text.substr(i, close + 1 - i));
    parts.push_back({"", parse_reference(text.substr(i + 2, close - i - 2), source)});
    i = close + 1;
  }
  if (!literal.empty() || parts.empty()) parts.push_back({std::move(literal), std::nullopt});
  return parts;
}

std::string manifest_directory(const std::string& manifest_file) {
  return std::filesystem::absolute(manifest_file).lexically_normal().parent_path().string();
}

bool has_references(std::string_view text) { return text.find("${") != std::string_view::npos; }

nlohmann::json resolve_reference(const Reference& ref, const TemplateScope& scope) {
  switch (ref.kind) {
    case Reference::Kind::kManifestDir:
      return scope.manifest_dir;
    case Reference::Kind::kRun:
      if (!scope.run) throw std::runtime_error(ref.source + ": there is no run here");
      return run_field(ref, *scope.run);
    case Reference::Kind::kWorkflowName:
      if (!scope.run) throw std::runtime_error(ref.source + ": there is no run here");
      return scope.run->workflow();
    case Reference::Kind::kParams: {
      if (scope.params && scope.params->contains(ref.name)) return scope.params->at(ref.name);
      throw std::runtime_error(ref.source + ": no param '" + ref.name + "'");
    }
    case Reference::Kind::kEnv: {
      if (auto value = scope.env(ref.name)) return *value;
      if (ref.fallback) return *ref.fallback;
      throw std::runtime_error(ref.source + ": environment variable " + ref.name +
                               " is not set (set it, or give a default: ${env." + ref.name +
                               ":-value})");
    }
    case Reference::Kind::kSecret: {
      if (auto value = scope.secret(ref.name)) return *value;
      throw std::runtime_error(ref.source + ": no secret '" + ref.name +
                               "' (list it under `secrets:`)");
    }
    case Reference::Kind::kTask: {
      const nlohmann::json* value = scope.task_output ? scope.task_output(ref.name) : nullptr;
      if (value == nullptr)
        throw std::runtime_error(ref.source + ": no output from '" + ref.name + "'");
      return walk(*value, ref.path, ref, "task '" + ref.name + "' output");
    }
    case Reference::Kind::kItem:
      if (!scope.item) throw std::runtime_error(ref.source + ": only a foreach task has an item");
      return walk(*scope.item, ref.path, ref, "the item");
    case Reference::Kind::kItemIndex:
      if (!scope.item_index) {
        throw std::runtime_error(ref.source + ": only a foreach task has an item index");
      }
      return *scope.item_index;
    case Reference::Kind::kMatrix:
      if (!scope.matrix || !scope.matrix->contains(ref.name)) {
        throw std::runtime_error(ref.source + ": no matrix value '" + ref.name + "' here");
      }
      return scope.matrix->at(ref.name);
  }
  return nullptr;
}

nlohmann::json resolve_templates(const nlohmann::json& value, const TemplateScope& scope) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[it.key()] = resolve_templates(it.value(), scope);
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : value) out.push_back(resolve_templates(item, scope));
    return out;
  }
  if (!value.is_string()) return value;
  const std::string& text = value.get_ref<const std::string&>();
  if (!has_references(text)) return value;
  std::vector<TemplatePart> parts = parse_template(text);
  if (parts.size() == 1 && parts[0].reference) return resolve_reference(*parts[0].reference, scope);
  std::string out;
  for (const TemplatePart& part : parts) {
    out += part.reference ? as_text(resolve_reference(*part.reference, scope)) : part.literal;
  }
  return out;
}

void for_each_reference(
    const nlohmann::json& value, const std::string& pointer,
    const std::function<void(const std::string&, const Reference&)>& visit,
    const std::function<void(const std::string&, const std::string&)>& on_error) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      for_each_reference(it.value(), pointer + "/" + it.key(), visit, on_error);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      for_each_reference(value[i], pointer + "/" + std::to_string(i), visit, on_error);
    }
  } else if (value.is_string() && has_references(value.get_ref<const std::string&>())) {
    try {
      for (const TemplatePart& part : parse_template(value.get_ref<const std::string&>())) {
        if (part.reference) visit(pointer, *part.reference);
      }
    } catch (const std::invalid_argument& e) {
      on_error(pointer, e.what());
    }
  }
}

}  // namespace flowweaver
