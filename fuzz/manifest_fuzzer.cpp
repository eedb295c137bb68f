// libFuzzer target: a manifest's bytes through what `flowweaver validate` does with them
// (load_workflow() in workflow.cpp, without the file and the plugin directories): the YAML
// document, the reader, validation against the unit tests' "test" plugin, the params'
// references. Whatever the bytes, that must end in a workflow or in diagnostics; a crash, an
// uncaught exception, a leak, a hang or a sanitizer report is a bug.
//
// It also holds plain_yaml.h to its promise that whatever the fast reader takes, yaml-cpp takes
// too and reads into the same tree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/manifest_document.h"
#include "manifest/manifest_reader.h"
#include "manifest/plain_yaml.h"
#include "manifest/template.h"
#include "manifest/validator.h"
#include "manifest/yaml_document.h"
#include "test_registry.h"

namespace flowweaver {
namespace {

// A fixed environment, so that what a run does depends on the input alone.
std::optional<std::string> fuzz_env(const std::string& name) {
  if (name == "HOME") return "/home/fuzz";
  return std::nullopt;
}

void load_and_validate(std::string_view text) {
  static const PluginRegistry registry = testing::test_registry();
  DiagnosticList diagnostics("fuzz.yaml");
  std::optional<YamlTree> document = load_manifest_document(text, &diagnostics);
  if (document) {
    Manifest manifest = read_manifest_document(*document, &diagnostics);
    ValidationResult validated;
    validate_manifest(manifest, registry, fuzz_env, &diagnostics, &validated);
    if (diagnostics.empty()) {
      validated.dag.topological_order();
      TemplateScope scope;
      scope.env = fuzz_env;
      scope.manifest_dir = "/fuzz";
      try {
        resolve_templates(manifest.params, scope);
      } catch (const std::exception&) {
        // Reported as a diagnostic by load_workflow(): a normal outcome.
      }
    }
  }
  diagnostics.to_string();
}

// `how` names the way of parsing being compared with yaml-cpp's in one piece.
[[noreturn]] void differ(const char* how, const YamlNode& node, const char* what) {
  SourceLocation at = node.location();
  std::fprintf(stderr, "%s and yaml-cpp in one piece differ at %d:%d: %s\n", how, at.line,
               at.column, what);
  std::abort();
}

// Compares the node `ours` (of the tree parsed `how`) with `whole` (parsed in one piece).
void expect_same(const char* how, const YamlNode& ours, const YamlNode& whole) {
  if (ours.type() != whole.type()) differ(how, whole, "type");
  if (ours.scalar() != whole.scalar()) differ(how, whole, "scalar");
  if (ours.tag() != whole.tag()) differ(how, whole, "tag");
  if (ours.location().line != whole.location().line ||
      ours.location().column != whole.location().column) {
    differ(how, whole, "location");
  }
  if (ours.size() != whole.size()) differ(how, whole, "size");
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole.is_map()) {
      expect_same(how, ours.key(i), whole.key(i));
      expect_same(how, ours.value(i), whole.value(i));
    } else {
      expect_same(how, ours.item(i), whole.item(i));
    }
  }
}

// Holds `tree`, which `who` read from `text`, to what yaml-cpp reads from it in one piece.
void expect_same_as_one_piece(const char* who, const YamlTree& tree, std::string_view text) {
  DiagnosticList diagnostics("fuzz.yaml");
  std::optional<YamlTree> whole = load_yaml_tree(text, &diagnostics);
  if (!whole) {
    differ(who, tree.root(),
           ("only " + std::string(who) + " succeeds: " + diagnostics.to_string()).c_str());
  }
  expect_same(who, tree.root(), whole->root());
}

void check_fast_matches_whole(std::string_view text) {
  std::optional<YamlTree> fast = parse_plain_yaml(text);
  if (fast) expect_same_as_one_piece("the fast reader", *fast, text);
}

}  // namespace
}  // namespace flowweaver

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  flowweaver::load_and_validate(text);
  flowweaver::check_fast_matches_whole(text);
  return 0;
}
