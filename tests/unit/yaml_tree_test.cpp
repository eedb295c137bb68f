#include "manifest/yaml_tree.h"

#include <gtest/gtest.h>

#include "manifest/libyaml_reader.h"
#include "manifest/yaml_syntax_error.h"

namespace flowweaver {
namespace {

YamlTree read(std::string_view text) { return read_yaml_tree(text, "manifest"); }

// The error read_yaml_tree() throws for `text`, as "line:column: message".
std::string error_of(std::string_view text) {
  try {
    read(text);
  } catch (const YamlSyntaxError& e) {
    return std::to_string(e.location().line) + ":" + std::to_string(e.location().column) + ": " +
           e.what();
  }
  return "no error";
}

TEST(YamlTreeTest, ReadsTypesTagsAndLocations) {
  YamlTree tree = read(
      "name: x\n"
      "tasks:\n"
      "  - name: \"a\"\n"
      "    with: {n: 50, t: !!str 12, empty: , list: [1, ~]}\n"
      "  -\n"
      "  - ? complex\n"
      "    : key\n");
  YamlNode root = tree.root();
  ASSERT_TRUE(root.is_map());
  EXPECT_EQ(root.tag(), "?");
  EXPECT_EQ(root.find("name").scalar(), "x");
  EXPECT_EQ(root.find("name").tag(), "?");
  YamlNode tasks = root.find("tasks");
  ASSERT_TRUE(tasks.is_sequence());
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks.location().line, 3);
  EXPECT_EQ(tasks.location().column, 3);
  YamlNode a = tasks.item(0);
  EXPECT_EQ(a.location().column, 5);
  EXPECT_EQ(a.find("name").tag(), "!");  // quoted
  EXPECT_EQ(a.find("name").location().column, 11);
  YamlNode with = a.find("with");
  EXPECT_EQ(with.find("n").scalar(), "50");
  EXPECT_EQ(with.find("t").tag(), "tag:yaml.org,2002:str");
  EXPECT_TRUE(with.find("empty").is_null());
  EXPECT_EQ(with.find("empty").tag(), "");
  EXPECT_TRUE(with.find("list").item(1).is_null());
  EXPECT_TRUE(tasks.item(1).is_null());
  EXPECT_TRUE(tasks.item(2).key(0).is_scalar());
  EXPECT_EQ(tasks.item(2).value(0).scalar(), "key");
}

TEST(YamlTreeTest, AnAliasIsTheAnchoredNodeItself) {
  YamlTree tree = read("base: &b {retries: 2}\nother: *b\nlist: [&x 1, *x]\n");
  YamlNode other = tree.root().find("other");
  EXPECT_EQ(other.find("retries").scalar(), "2");
  EXPECT_EQ(other.location().line, 1);
  EXPECT_EQ(tree.root().find("list").item(1).scalar(), "1");
}

TEST(YamlTreeTest, DuplicateKeysAreKeptAndLookupFindsTheFirst) {
  YamlTree tree = read("k: 1\nk: 2\n");
  ASSERT_EQ(tree.root().size(), 2u);
  EXPECT_EQ(tree.root().find("k").scalar(), "1");
  EXPECT_FALSE(tree.root().find("missing"));
}

TEST(YamlTreeTest, AnEmptyDocumentIsNullWithNoLocation) {
  for (const char* text : {"", "# only a comment\n", "\n\n"}) {
    YamlTree tree = read(text);
    EXPECT_TRUE(tree.root().is_null());
    EXPECT_EQ(tree.root().location().line, 0);
  }
}

TEST(YamlTreeTest, AnAliasInsideItsOwnAnchorIsAnErrorNotACycle) {
  EXPECT_EQ(error_of("a: &x {b: *x}\n"),
            "1:11: alias '*x' is inside the node it names, which would make it endless: write "
            "the value out");
}

TEST(YamlTreeTest, AliasesThatExpandBeyondTheBoundAreRefused) {
  // Each level doubles the one before: 2^25 nodes from a few hundred bytes.
  std::string text = "l0: &l0 [x, x]\n";
  for (int i = 1; i <= 25; ++i) {
    std::string prev = "l" + std::to_string(i - 1);
    text +=
        "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*" + prev + ", *" + prev + "]\n";
  }
  EXPECT_NE(error_of(text).find("aliases expand the document by over 1000000 nodes"),
            std::string::npos)
      << error_of(text);
}

TEST(YamlTreeTest, NestingIsBoundedThroughAliasesToo) {
  std::string deep = std::string(600, '[') + std::string(600, ']');
  EXPECT_EQ(error_of("a: &d " + deep + "\nb: " + std::string(500, '[') + "*d" +
                     std::string(500, ']') + "\n")
                .substr(0, 30),
            "2:504: invalid YAML: alias '*d");
}

}  // namespace
}  // namespace flowweaver
