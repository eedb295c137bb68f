#include "manifest/yaml_tree.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "manifest/yaml_value.h"

namespace flowweaver {
namespace {

// Compares a YamlTree node with what YAML::Load makes of the same text, all the way down.
void expect_same(const YamlNode& ours, const YAML::Node& theirs, const std::string& path) {
  SCOPED_TRACE(path);
  SourceLocation where = location_of(theirs);
  EXPECT_EQ(ours.location().line, where.line);
  EXPECT_EQ(ours.location().column, where.column);
  EXPECT_EQ(ours.tag(), theirs.Tag());
  switch (theirs.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      EXPECT_TRUE(ours.is_null());
      break;
    case YAML::NodeType::Scalar:
      ASSERT_TRUE(ours.is_scalar());
      EXPECT_EQ(ours.scalar(), theirs.Scalar());
      break;
    case YAML::NodeType::Sequence:
      ASSERT_TRUE(ours.is_sequence());
      ASSERT_EQ(ours.size(), theirs.size());
      for (size_t i = 0; i < ours.size(); ++i) {
        expect_same(ours.item(i), theirs[i], path + "/" + std::to_string(i));
      }
      break;
    case YAML::NodeType::Map: {
      ASSERT_TRUE(ours.is_map());
      ASSERT_EQ(ours.size(), theirs.size());
      size_t i = 0;
      for (auto it = theirs.begin(); it != theirs.end(); ++it, ++i) {
        expect_same(ours.key(i), it->first, path + "/key" + std::to_string(i));
        expect_same(ours.value(i), it->second, path + "/value" + std::to_string(i));
      }
      break;
    }
  }
}

void expect_same_as_yaml_cpp(const std::string& text) {
  YamlTree tree = YamlTree::parse(text);
  expect_same(tree.root(), YAML::Load(text), "");
}

TEST(YamlTreeTest, MatchesYamlCppNodeForNode) {
  expect_same_as_yaml_cpp(R"(name: x
description: >
  folded
  text
tasks:
  - name: a
    uses: builtin.noop
    with: {n: 50, s: "quoted", t: !!str 12, list: [1, two, ~], empty:}
    depends_on:
      - b
  - name: b
    with:
    script: |
      echo hi

  -
  - ? complex
    : key
)");
  expect_same_as_yaml_cpp("- a\n- [b, {c: d}]\n- 'single'\n");
  expect_same_as_yaml_cpp("just a scalar\n");
  expect_same_as_yaml_cpp("~\n");
}

TEST(YamlTreeTest, AnAliasIsTheAnchoredNodeItself) {
  std::string text = "base: &b {retries: 2}\nother: *b\nlist: [&x 1, *x]\n";
  expect_same_as_yaml_cpp(text);
  YamlTree tree = YamlTree::parse(text);
  EXPECT_EQ(tree.root().find("other").location().line, 1);
}

TEST(YamlTreeTest, DuplicateKeysAreKeptAndLookupFindsTheFirst) {
  YamlTree tree = YamlTree::parse("k: 1\nk: 2\n");
  ASSERT_EQ(tree.root().size(), 2u);
  EXPECT_EQ(tree.root().find("k").scalar(), "1");
  EXPECT_FALSE(tree.root().find("missing"));
}

TEST(YamlTreeTest, AnEmptyDocumentIsNullWithNoLocation) {
  for (const char* text : {"", "# only a comment\n"}) {
    YamlTree tree = YamlTree::parse(text);
    EXPECT_TRUE(tree.root().is_null());
    EXPECT_EQ(tree.root().location().line, 0);
  }
}

TEST(YamlTreeTest, OnlyTheFirstDocumentIsRead) {
  YamlTree tree = YamlTree::parse("a: 1\n---\nb: 2\n");
  EXPECT_TRUE(tree.root().find("a"));
  EXPECT_FALSE(tree.root().find("b"));
}

TEST(YamlTreeTest, AnAliasInsideItsOwnAnchorIsAnErrorNotACycle) {
  try {
    YamlTree::parse("a: &x {b: *x}\n");
    FAIL() << "expected an error";
  } catch (const YAML::ParserException& e) {
    EXPECT_EQ(e.mark.line, 0);
    EXPECT_EQ(e.mark.column, 10);
  }
}

}  // namespace
}  // namespace flowweaver
