#include "manifest/manifest_document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace flowweaver {
namespace {

using ::testing::HasSubstr;

std::string errors_of(const std::string& text) {
  DiagnosticList diagnostics("m.yaml");
  EXPECT_FALSE(load_manifest_document(text, &diagnostics).has_value()) << text;
  return diagnostics.to_string();
}

TEST(ManifestDocumentTest, ReadsAManifestAsOneTree) {
  DiagnosticList diagnostics("m.yaml");
  std::optional<YamlTree> tree = load_manifest_document(
      "name: x\ntasks:\n  - name: a\n    uses: b.c\n    depends_on: [z]\n", &diagnostics);
  ASSERT_TRUE(tree) << diagnostics.to_string();
  YamlNode task = tree->root().find("tasks").item(0);
  EXPECT_EQ(task.find("uses").scalar(), "b.c");
  EXPECT_EQ(task.find("depends_on").item(0).location().line, 5);
  EXPECT_EQ(task.find("depends_on").item(0).location().column, 18);
}

// A quoted scalar over what looks like a task list is one string, when it is closed.
TEST(ManifestDocumentTest, AClosedQuoteMaySpanLines) {
  DiagnosticList diagnostics("m.yaml");
  std::optional<YamlTree> tree =
      load_manifest_document("description: \"open\ntasks:\n  - a\nend\"\n", &diagnostics);
  ASSERT_TRUE(tree) << diagnostics.to_string();
  EXPECT_EQ(tree->root().find("description").scalar(), "open tasks: - a end");
  EXPECT_FALSE(tree->root().find("tasks"));
}

// Found by the fuzzer when two parsers were compared; each must stay an error with a position.
TEST(ManifestDocumentTest, InvalidDocumentsAreReportedWithAPosition) {
  EXPECT_THAT(errors_of("tasks:\n  - a\n  - [b\n  - c\n"), HasSubstr("m.yaml:3:5: invalid YAML"));
  EXPECT_THAT(errors_of("tasks:\n  - a\n  - b: c: d\n  - e\n"),
              HasSubstr("m.yaml:3:9: invalid YAML"));
  EXPECT_THAT(errors_of("name: x\ntasks:\n  - name: a\n    usea\n       de\n  - name: c\n"
                        "    ue: b\n    us - name: a\n       de[b]\n"),
              HasSubstr("invalid YAML"));
  EXPECT_THAT(errors_of("a: 1\n---\nb: 2\n"),
              HasSubstr("m.yaml:2:1: a manifest is one YAML document; a second one starts here"));
}

}  // namespace
}  // namespace flowweaver
