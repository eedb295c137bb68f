#include "manifest/manifest_document.h"

#include <gtest/gtest.h>

#include <random>

#include "manifest/task_list_split.h"

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

// Whenever the parallel path gives a tree, it is the tree of parsing in one piece; when the
// text is not valid YAML, it gives none. Returns how many of the tries were read in parts.
int expect_parts_agree(const std::string& text, bool expect_split) {
  SCOPED_TRACE(text);
  std::optional<YamlTree> whole;
  try {
    whole = YamlTree::parse(text);
  } catch (const std::exception&) {
  }
  int num_split = 0;
  for (size_t chunks = 1; chunks <= 3; ++chunks) {
    SCOPED_TRACE("chunks: " + std::to_string(chunks));
    std::optional<YamlTree> parts = parse_manifest_in_parts(text, chunks);
    if (expect_split) {
      EXPECT_TRUE(parts.has_value());
    }
    if (!parts) continue;
    ++num_split;
    EXPECT_TRUE(whole.has_value()) << "the parts read an invalid document";
    if (whole) expect_same(parts->root(), whole->root(), "");
  }
  return num_split;
}

TEST(ManifestDocumentTest, PartsGiveTheSameTreeAsOnePiece) {
  expect_parts_agree(
      "name: x\ntasks:\n  - name: a\n    uses: b.c\n  - name: b\n    uses: b.c\n"
      "    depends_on: [a]\n  - name: c\n    uses: b.c\n",
      true);
  // Empty values at the end of a part take their location from what follows.
  expect_parts_agree("tasks:\n  - name: a\n    with:\n  - name: b\n    with:\n  -\n  -\n", true);
  expect_parts_agree("tasks:\n  - name: a\n    with:\n  - name: b\n    with:\ndefaults:\n", true);
  expect_parts_agree("tasks:\n  - a\n  -\n\n# note\n  -\n   # indented\n  - b\ndefaults: 1\n",
                     true);
  expect_parts_agree("tasks:\n  - a\n  - b\n  -", true);  // no final line break
  // Block scalars keep or drop the blank lines before the next item as in the whole.
  expect_parts_agree(
      "tasks:\n  - run: |+\n      x\n\n  - run: |\n      y\n\n  - run: >-\n"
      "      z\n\n\ncatchup: true\n",
      true);
  // Lists flush with their key, multi-line plain scalars, nesting, comments.
  expect_parts_agree(
      "name: x\ntasks:\n- name: a # first\n  with:\n    k: [1, {a: b}]\n"
      "    long: one\n      two\n- name: b\n  with: {x: [y]}\n- c\nmax_workers: 2\n",
      true);
  // Quotes and anchors in the list: read in one piece.
  expect_parts_agree("tasks:\n  - name: \"a\"\n  - name: b\n", false);
  expect_parts_agree("tasks:\n  - &a x\n  - *a\n", false);
}

TEST(ManifestDocumentTest, InvalidDocumentsAreLeftToTheWholeParse) {
  expect_parts_agree("tasks:\n  - a\n  - [b\n  - c\n", false);
  expect_parts_agree("tasks:\n  - a\n  - b: c: d\n  - e\n", false);
  expect_parts_agree("description: \"open\ntasks:\n  - a\n  - b\n  - c\nend\"\n", false);
  expect_parts_agree("x: [\ntasks:\n  - a\n  - b\n]\n", false);
}

// Found by fuzz/manifest_fuzzer: yaml-cpp reads plain text where a key may stand as a key
// without a value when the text ends there, so a part ending in such a line read cleanly while
// the whole document is invalid YAML.
TEST(ManifestDocumentTest, NoPartEndsInPlainTextWhereAKeyMayStand) {
  expect_parts_agree(
      "name: x\ntasks:\n  - name: a\n    uses:( tset.noop\n  - name: b\n    uses: test.nop\n"
      "  - name: c\n    uses: noplugin\n",
      false);
  expect_parts_agree("tasks:\n  - name: a\n    with:\n      k: 1\n      bar\n  - name: b\n", false);
  expect_parts_agree("tasks:\n  - a\n  - name: b\n    with\ndefaults: {}\n", false);
  expect_parts_agree("tasks:\n  - name: a\n    !x: test.noop\n  - name: b\n", false);  // a tag
  // yaml-cpp reads `{#` as an open brace and a comment: the list runs into the next line.
  expect_parts_agree("name: w\ntasks:\n  - {#s}\n  - {name: b}\n  , c: d}\n", false);
  // Deeper lines continue a value: those parts are fine.
  expect_parts_agree("tasks:\n  - name: a\n    note: one\n      two\n  - name: b\n", true);
}

// Found by fuzz/manifest_fuzzer (fuzz/corpus/manifest/regression_control_chars.yaml): control
// characters in a line, which yaml-cpp reads in ways a part cannot anticipate.
TEST(ManifestDocumentTest, LinesWithControlCharactersAreLeftToTheWholeParse) {
  std::string b(33, '\b');
  expect_parts_agree("name: x\ntasks:\n  - name: a\n     uses:" + b +
                         " test.nop\n  - name: c\n    a\n     uses:" + b +
                         " test.nop\n  - name: c\n    uses uses: noplugin\n",
                     false);
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
  int num_split = 0;
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
    num_split += expect_parts_agree(text, false);
  }
  EXPECT_GT(num_split, num_rounds);  // most are read in parts, or the test proves little
}

TEST(ManifestDocumentTest, SplitCutsAtItemsOnly) {
  std::string text = "name: x\ntasks:\n";
  for (int i = 0; i < 100; ++i) text += "  - name: t" + std::to_string(i) + "\n    uses: a.b\n";
  text += "defaults:\n  retries: 1\n";
  std::optional<TaskListSplit> split = find_task_list_split(text, 3);
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->indent, 2);
  EXPECT_EQ(split->first_item_line, 3);
  ASSERT_EQ(split->chunks.size(), 3u);
  size_t num_items = split->num_head_items;
  for (const TaskListSplit::Chunk& chunk : split->chunks) {
    EXPECT_EQ(text.compare(chunk.begin, 4, "  - "), 0);
    num_items += chunk.num_items;
  }
  EXPECT_EQ(num_items, 100u);
  EXPECT_EQ(split->end_line, 203);
  EXPECT_EQ(text.compare(split->chunks.back().end, 9, "defaults:"), 0);
}

}  // namespace
}  // namespace flowweaver
