// Hand-written YAML, each with the value it must read as or the exact error it must give:
// what libyaml (through load_yaml_tree) makes of the inputs the former parser got wrong, and of the
// YAML features a manifest may or may not use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "manifest/manifest_reader.h"
#include "manifest/yaml_document.h"
#include "manifest/yaml_value.h"

namespace flowweaver {
namespace {

struct YamlCase {
  const char* name;
  std::string text;
  // The document as JSON, or the diagnostic ("c.yaml:L:C: message") when it starts so.
  std::string expected;
};

// What the text reads as: its JSON, or its diagnostics.
std::string outcome(const std::string& text) {
  DiagnosticList diagnostics("c.yaml");
  std::optional<YamlTree> tree = load_yaml_tree(text, "manifest", &diagnostics);
  if (!tree) return diagnostics.to_string();
  LocationMap locations;
  nlohmann::json value = yaml_to_json(tree->root(), "", &locations, &diagnostics);
  if (!diagnostics.empty()) return diagnostics.to_string();
  return value.dump();
}

const std::vector<YamlCase>& cases() {
  static const std::vector<YamlCase> all = {
      {"unterminated double quote", "a: \"hello\nb: c\n",
       "c.yaml:1:4: invalid YAML: unterminated double-quoted string: close the quote (libyaml: "
       "while scanning a quoted scalar, found unexpected end of stream at line 3 column 1)\n"},
      {"unterminated single quote", "a: 'hello\nb: c\n",
       "c.yaml:1:4: invalid YAML: unterminated single-quoted string: close the quote (libyaml: "
       "while scanning a quoted scalar, found unexpected end of stream at line 3 column 1)\n"},
      {"unclosed [ at the end", "a: [1, 2\n",
       "c.yaml:1:4: invalid YAML: this '[' is never closed: close it with ']' (libyaml: while "
       "parsing a flow sequence, did not find expected ',' or ']' at line 2 column 1)\n"},
      {"unclosed [ before more", "k: [a, b\nname: x\n",
       "c.yaml:1:4: invalid YAML: this '[' is not closed where expected, at line 2 column 5: "
       "close it with ']' and separate its items with ',' (libyaml: while parsing a flow "
       "sequence, did not find expected ',' or ']' at line 2 column 5)\n"},
      {"unclosed {", "a: {b: c\n",
       "c.yaml:1:4: invalid YAML: this '{' is never closed: close it with '}' (libyaml: while "
       "parsing a flow mapping, did not find expected ',' or '}' at line 2 column 1)\n"},
      {"tab as indentation", "a:\n\tb: c\n",
       "c.yaml:2:1: invalid YAML: a tab where YAML expects indentation or a value; YAML indents "
       "with spaces only: replace the tab with spaces (libyaml: while scanning for the next "
       "token, found character that cannot start any token at line 2 column 1)\n"},
      {"a ': ' inside a plain value", "a: b: c\n",
       "c.yaml:1:5: invalid YAML: ': ' here would start a map inside a value: quote the value, "
       "or put the map on lines of its own (libyaml: mapping values are not allowed in this "
       "context at line 1 column 5)\n"},
      {"a control character", "a: x\x08y\n",
       "c.yaml:1:5: invalid YAML: control character 0x08 is not allowed: remove it, or write it "
       "as an escape (\\x..) in a double-quoted string\n"},
      {"a key without a value at the end", "a: 1\nb:\n", R"({"a":1,"b":null})"},
      {"a second document", "a: 1\n---\nb: 2\n",
       "c.yaml:2:1: a manifest is one YAML document; a second one starts here: remove it or "
       "split the file\n"},
      {"a second, empty document", "---\na: 1\n---\n",
       "c.yaml:3:1: a manifest is one YAML document; a second one starts here: remove it or "
       "split the file\n"},
      {"one document with markers", "---\na: 1\n...\n", R"({"a":1})"},
      {"an empty file", "", "null"},
      {"only comments", "# nothing\n\n# here\n", "null"},
      {"anchors and aliases", "base: &b {x: 1, y: [2]}\nuse: *b\nlist: [&s one, *s]\n",
       R"({"base":{"x":1,"y":[2]},"list":["one","one"],"use":{"x":1,"y":[2]}})"},
      {"an alias of no anchor", "a: *nope\n",
       "c.yaml:1:4: alias '*nope' names no anchor before it: define '&nope' first\n"},
      {"literal block, clip", "a: |\n  x\n  y\n\nb: 1\n", R"({"a":"x\ny\n","b":1})"},
      {"literal block, strip", "a: |-\n  x\n  y\n\nb: 1\n", R"({"a":"x\ny","b":1})"},
      {"literal block, keep", "a: |+\n  x\n  y\n\nb: 1\n", R"({"a":"x\ny\n\n","b":1})"},
      {"folded block, clip", "a: >\n  x\n  y\n\nb: 1\n", R"({"a":"x y\n","b":1})"},
      {"folded block, strip", "a: >-\n  x\n  y\n\nb: 1\n", R"({"a":"x y","b":1})"},
      {"folded block, keep", "a: >+\n  x\n  y\n\nb: 1\n", R"({"a":"x y\n\n","b":1})"},
      {"escaped line breaks", "a: \"\\n\\n\"\n", R"({"a":"\n\n"})"},
      {"a quoted string of only line breaks", "a: \"\n\n\n\"\n", R"({"a":"\n\n"})"},
      {"a core tag for a string", "a: !!str 50\nb: ! 60\n", R"({"a":"50","b":"60"})"},
      {"core tags for collections", "a: !!map {b: !!seq [1]}\n", R"({"a":{"b":[1]}})"},
      {"another core tag", "a: !!int 3\n",
       "c.yaml:1:4: unsupported YAML tag '!!int': remove it; a value's type comes from how it is "
       "written (50 is a number, \"50\" a string, [a] a list)\n"},
      {"a local tag", "a: !secret x\n",
       "c.yaml:1:4: unsupported YAML tag '!secret': remove it; a value's type comes from how it "
       "is written (50 is a number, \"50\" a string, [a] a list)\n"},
      {"a merge key", "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n",
       "c.yaml:3:3: merge keys ('<<') are not supported: write the keys out (or quote '<<' for a "
       "key of that name)\n"},
      {"a quoted '<<' key", "'<<': 1\n", R"({"<<":1})"},
      {"'<<' as a value", "a: <<\n", R"({"a":"<<"})"},
      {"nesting too deep", "a: " + std::string(1500, '[') + std::string(1500, ']') + "\n",
       "c.yaml:1:1003: invalid YAML: nested over 1000 levels deep, beyond what the reader "
       "accepts; flatten the value\n"},
  };
  return all;
}

TEST(YamlCasesTest, EachCaseReadsAsExpected) {
  for (const YamlCase& c : cases()) {
    EXPECT_EQ(outcome(c.text), c.expected) << c.name;
  }
}

const char* const kP1 = R"(name: p1
tasks:
  - name: a
    uses: builtin.echo
    with:
      msg: "hello
  - name: b
    uses: builtin.noop
)";

TEST(YamlCasesTest, AnUnterminatedQuoteInAManifestPointsAtTheQuote) {
  DiagnosticList diagnostics("p1.yaml");
  Manifest manifest = parse_manifest(kP1, "p1.yaml", &diagnostics);
  EXPECT_TRUE(manifest.tasks.empty());
  EXPECT_THAT(diagnostics.to_string(),
              ::testing::StartsWith("p1.yaml:6:12: invalid YAML: unterminated double-quoted "
                                    "string: close the quote"));
}

TEST(YamlCasesTest, TheManifestLayerOnEmptyFilesAndMissingValues) {
  auto errors = [](const std::string& text) {
    DiagnosticList diagnostics("m.yaml");
    parse_manifest(text, "m.yaml", &diagnostics);
    return diagnostics.to_string();
  };
  EXPECT_EQ(errors(""),
            "m.yaml:1:1: the manifest is empty: write a map with at least `name` and "
            "`tasks`\n");
  EXPECT_EQ(errors("# just a comment\n"), errors(""));
  EXPECT_EQ(errors("name: x\ntasks:\n"), "m.yaml:2:7: `tasks` must be a list of tasks\n");
}

// A caller that keeps no locations (a `foreach:` list) gets the same value, and the same
// diagnostics, as one that keeps them.
TEST(YamlCasesTest, ReadingWithoutLocationsGivesTheSameValueAndErrors) {
  const std::string text = "[a, 1, {b: [true, ~]}, {c: 1, c: 2}]\n";
  auto read = [&](bool keep_locations) {
    DiagnosticList diagnostics("c.yaml");
    std::optional<YamlTree> tree = load_yaml_tree(text, "manifest", &diagnostics);
    LocationMap locations;
    nlohmann::json value =
        yaml_to_json(tree->root(), "", keep_locations ? &locations : nullptr, &diagnostics);
    return value.dump() + "\n" + diagnostics.to_string();
  };
  EXPECT_EQ(read(false), read(true));
  EXPECT_THAT(read(false), ::testing::StartsWith("[\"a\",1,{\"b\":[true,null]},{\"c\":"));
  EXPECT_THAT(read(false), ::testing::HasSubstr("\nc.yaml:1:"));  // the duplicate key c
}

}  // namespace
}  // namespace flowweaver
