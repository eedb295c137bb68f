#include "manifest/manifest_document.h"

#include <gtest/gtest.h>

#include <random>

#include "manifest/yaml_document.h"

namespace flowweaver {
namespace {

void expect_same(const YamlNode& a, const YamlNode& b, const std::string& path) {
  SCOPED_TRACE(path);
  ASSERT_EQ(a.type(), b.type());
  EXPECT_EQ(a.location().line, b.location().line);
  EXPECT_EQ(a.location().column, b.location().column);
  EXPECT_EQ(a.tag(), b.tag());
  EXPECT_EQ(a.scalar(), b.scalar());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.is_sequence()) {
      expect_same(a.item(i), b.item(i), path + "/" + std::to_string(i));
    } else {
      expect_same(a.key(i), b.key(i), path + "/key" + std::to_string(i));
      expect_same(a.value(i), b.value(i), path + "/value" + std::to_string(i));
    }
  }
}

// load_manifest_document() gives exactly what yaml-cpp gives in one piece: the same tree, or
// no tree and the same diagnostics. Returns whether the text was valid YAML.
bool expect_same_as_yaml_cpp(const std::string& text) {
  SCOPED_TRACE(text);
  DiagnosticList ours("m.yaml");
  DiagnosticList theirs("m.yaml");
  std::optional<YamlTree> tree = load_manifest_document(text, &ours);
  std::optional<YamlTree> whole = load_yaml_tree(text, &theirs);
  EXPECT_EQ(tree.has_value(), whole.has_value());
  EXPECT_EQ(ours.to_string(), theirs.to_string());
  if (tree && whole) expect_same(tree->root(), whole->root(), "");
  return whole.has_value();
}

TEST(ManifestDocumentTest, PlainAndOtherManifestsGiveYamlCppsTree) {
  // Plain: the fast reader's.
  EXPECT_TRUE(expect_same_as_yaml_cpp(
      "name: x\ntasks:\n  - name: a\n    uses: b.c\n  - name: b\n    uses: b.c\n"
      "    depends_on: [a]\n  - name: c\n    uses: b.c\n"));
  // Quotes, anchors, block scalars, multi-line plain scalars: yaml-cpp's.
  EXPECT_TRUE(expect_same_as_yaml_cpp("tasks:\n  - name: \"a\"\n  - &b name: b\n  - *b\n"));
  EXPECT_TRUE(expect_same_as_yaml_cpp(
      "tasks:\n  - run: |+\n      x\n\n  - run: >-\n      z\n\n\ncatchup: true\n"));
  EXPECT_TRUE(expect_same_as_yaml_cpp("tasks:\n- name: a\n  note: one\n    two\n- b\n"));
  // A quoted scalar over what looks like a task list.
  EXPECT_TRUE(expect_same_as_yaml_cpp("description: \"open\ntasks:\n  - a\n  - b\nend\"\n"));
}

// Invalid documents get yaml-cpp's diagnostics. The last three were read by the parallel parse
// in parts that this replaced, which the fuzzer caught accepting them.
TEST(ManifestDocumentTest, InvalidDocumentsGetYamlCppsDiagnostics) {
  EXPECT_FALSE(expect_same_as_yaml_cpp("tasks:\n  - a\n  - [b\n  - c\n"));
  EXPECT_FALSE(expect_same_as_yaml_cpp("tasks:\n  - a\n  - b: c: d\n  - e\n"));
  EXPECT_FALSE(expect_same_as_yaml_cpp(
      "name: x\ntasks:\n  - name: a\n    uses:( tset.noop\n  - name: b\n    uses: test.nop\n"));
  std::string b(33, '\b');
  EXPECT_FALSE(expect_same_as_yaml_cpp("name: x\ntasks:\n  - name: a\n     uses:" + b +
                                       " test.nop\n  - name: c\n    a\n     uses:" + b +
                                       " test.nop\n  - name: c\n    uses uses: noplugin\n"));
  // fuzz/corpus/manifest/regression_continued_key.yaml
  EXPECT_FALSE(expect_same_as_yaml_cpp(
      "name: x\ntasks:\n  - name: a\n    usea\n       de\n  - name: c\n    ue: b\n"
      "    us - name: a\n       de[b]\n"));
}

TEST(ManifestDocumentTest, RandomManifestsAgree) {
  const std::vector<std::string> item_lines = {
      "- name: t{}\n  uses: builtin.noop\n",
      "- name: t{}\n  depends_on: [t0, t1]\n",
      "- name: t{}\n  with:\n",
      "- name: t{}\n  with:\n    a: 1\n    b: [x, y]\n",
      "- name: t{}\n  script: |\n    echo {}\n\n",
      "- name: t{}\n  note: long\n    plain text\n",
      "-\n",
      "- t{}\n",
      "# comment {}\n",
      "\n",
      "- name: t{}\n  with: {k: v}\n  retries: 2\n",
  };
  const std::vector<std::string> tails = {
      "", "defaults:\n  retries: 1\n", "\n\n", "# end\n", "max_workers: 3\n", "---\nother: doc\n"};
  std::mt19937 random(42);
  int num_valid = 0;
  const int num_rounds = 200;
  for (int round = 0; round < num_rounds; ++round) {
    std::string indent(random() % 3, ' ');
    std::string text = "name: r\ntasks:\n";
    int num_items = 2 + static_cast<int>(random() % 12);
    for (int i = 0; i < num_items; ++i) {
      std::string item = item_lines[random() % item_lines.size()];
      if (i == 0) item = item_lines[0];  // the list starts with an item
      for (size_t at; (at = item.find("{}")) != std::string::npos;) {
        item.replace(at, 2, std::to_string(i));
      }
      for (size_t start = 0; start < item.size();) {  // indent every line
        size_t end = item.find('\n', start);
        if (end > start) text += indent;
        text += item.substr(start, end + 1 - start);
        start = end + 1;
      }
    }
    text += tails[random() % tails.size()];
    num_valid += expect_same_as_yaml_cpp(text) ? 1 : 0;
  }
  EXPECT_GT(num_valid, num_rounds / 2);  // most are valid, or the test proves little
}

}  // namespace
}  // namespace flowweaver
