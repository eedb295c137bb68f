#include "manifest/plain_yaml.h"

#include <gtest/gtest.h>
#include <yaml-cpp/exceptions.h>

#include <random>
#include <string>
#include <vector>

namespace flowweaver {
namespace {

// Compares the fast parser's node with yaml-cpp's (YamlTree::parse), all the way down.
void expect_same(const YamlNode& fast, const YamlNode& slow, const std::string& path) {
  SCOPED_TRACE(path);
  ASSERT_EQ(fast.type(), slow.type());
  EXPECT_EQ(fast.scalar(), slow.scalar());
  EXPECT_EQ(fast.tag(), slow.tag());
  EXPECT_EQ(fast.location().line, slow.location().line);
  EXPECT_EQ(fast.location().column, slow.location().column);
  ASSERT_EQ(fast.size(), slow.size());
  for (size_t i = 0; i < slow.size(); ++i) {
    std::string at = path + "/" + std::to_string(i);
    if (slow.is_map()) {
      expect_same(fast.key(i), slow.key(i), at + "k");
      expect_same(fast.value(i), slow.value(i), at + "v");
    } else {
      expect_same(fast.item(i), slow.item(i), at);
    }
  }
}

void expect_parsed_like_yaml_cpp(const std::string& text) {
  SCOPED_TRACE(text);
  std::optional<YamlTree> fast = parse_plain_yaml(text);
  ASSERT_TRUE(fast.has_value());
  expect_same(fast->root(), YamlTree::parse(text).root(), "");
}

// When the fast parser takes a text, yaml-cpp must take it too and agree.
void expect_agrees_if_taken(const std::string& text) {
  std::optional<YamlTree> fast = parse_plain_yaml(text);
  if (!fast) return;
  SCOPED_TRACE(text);
  try {
    expect_same(fast->root(), YamlTree::parse(text).root(), "");
  } catch (const YAML::Exception& e) {
    ADD_FAILURE() << "only the fast parser takes it: " << e.what();
  }
}

TEST(PlainYamlTest, MatchesYamlCppOnSamples) {
  const char* samples[] = {
      "a: b\n",
      "a: b",
      "- a\n- b\n",
      "  a: b\n  c: d\n",
      "name: x\ntasks:\n  - name: t0\n    uses: builtin.noop\n  - name: t1\n"
      "    uses: builtin.noop\n    depends_on: [t0]\n",
      "tasks:\n- name: t0\n  with: {command: [/bin/true], n: 1}\nafter: x\n",
      "a:\n  b:\n    c: d\n  e: f\ng: h\n",
      "# head\n\na: b # trailing\n   # indented comment\n\nc:   d   \n",
      "a: # comment\n  - x\n  -   y: z\n      w: v\n  - [p, q]\n  - {}\n  - []\n",
      "params:\n  input: ${manifest.dir}/data/customers.csv\n"
      "  warehouse: ${env.FLOWWEAVER_WAREHOUSE:-var/warehouse.db}\n",
      "description: Daily customer data, extraction and loading (v2) it's \"fine\" !x &y *z\n",
      "k: ~\nnull: x\nl: [~, null, Null, NULL, nULL]\nm: {n: ~}\n",
      "a: [ x ,y,  z w  ]\nb: {k:  v , l: [1, -2, +3, .5]}\nc: [[a, [b]], {d: e}]\n",
      "url: http://example.com:8080/x?y=1&z=2\nneg: -1\nt: true\nf: 0.5\n",
      "key with spaces : value\n",
      "tasks:\n  - {name: first, with: {v: 1}}\n  - {name: b, depends_on: [first]}\n",
  };
  for (const char* text : samples) expect_parsed_like_yaml_cpp(text);
}

TEST(PlainYamlTest, RefusesTextOutsideTheSubset) {
  const char* refused[] = {
      "",                        // no document
      "# only a comment\n",      // no document
      "just a scalar\n",         // root not a collection
      "a: 'quoted'\n",           // quotes
      "a: \"quoted\"\n",         //
      "a: |\n  block\n",         // block scalars
      "a: >\n  folded\n",        //
      "a: &x b\nc: *x\n",        // anchors and aliases
      "a: !!str b\n",            // tags
      "---\na: b\n",             // document markers
      "a: b\n...\n",             //
      "%YAML 1.2\n---\na: b\n",  // directives
      "? a\n: b\n",              // complex keys
      "a:\nb: c\n",              // an empty value
      "a: b\n- c\n",             //
      "- \n- a\n",               // an empty entry
      "-\n  a: b\n",             // an entry starting on the next line
      "- - x\n",                 // a compact nested sequence
      "a: b\n  c\n",             // a multi-line scalar
      "- a\n  b\n",              //
      "a: [b,\n  c]\n",          // a multi-line flow collection
      "a: [b, c,]\n",            // a trailing comma
      "a: [b: c]\n",             // a map inside a flow sequence
      "a: {b}\n",                // a flow map entry without a value
      "a: {b:c}\n",              //
      "a:\tb\n",                 // tabs
      "a: b\r\n",                // CR
      "a: caf\xc3\xa9\n",        // non-ASCII
      "a: b: c\n",               // a map where none may start
      "a: b:\n",                 //
      "a: b#c\n",                // '#' not starting a comment
      "a: [b]#c\n",              //
      "a: [b#c]\n",              //
      "a: -\n",                  // an indicator starting a scalar
      "a: @b\n",                 //
      "a: `b\n",                 //
      "a: ,b\n",                 //
      "a: b\n c: d\n",           // inconsistent indentation
      "  a: b\nc: d\n",          //
      "a:\n    b: c\n  d: e\n",  //
      "a: b\nc",                 // a key without ':'
      "x:y: z\n",                // ':' inside a key
  };
  for (const char* text : refused) {
    EXPECT_FALSE(parse_plain_yaml(text).has_value()) << text;
  }
  // Keys yaml-cpp finds too long to be keys, counting the spaces before the ':'.
  EXPECT_FALSE(parse_plain_yaml(std::string(1100, 'k') + ": v\n").has_value());
  EXPECT_FALSE(parse_plain_yaml("k" + std::string(1100, ' ') + ": v\n").has_value());
  EXPECT_FALSE(parse_plain_yaml("a: {k" + std::string(1100, ' ') + ": v}\n").has_value());
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  EXPECT_FALSE(parse_plain_yaml(deep + std::string(100, ' ') + "k: v\n").has_value());
}

// The manifests bench/gen_workflow writes, in each shape.
std::string bench_manifest(size_t n, bool shell, bool chain) {
  std::string text = "name: bench\ntasks:\n";
  for (size_t i = 0; i < n; ++i) {
    text += "  - name: t" + std::to_string(i) + "\n";
    text += shell ? "    uses: shell.run\n    with: {command: [/bin/true]}\n"
                  : "    uses: builtin.noop\n";
    if (i == 0) continue;
    if (chain) {
      text += "    depends_on: [t" + std::to_string(i - 1) + "]\n";
    } else if (i + 1 < n) {
      text += "    depends_on: [t0]\n";
    } else {
      text += "    depends_on: [t1";
      for (size_t j = 2; j + 1 < n; ++j) text += ", t" + std::to_string(j);
      text += "]\n";
    }
  }
  return text;
}

TEST(PlainYamlTest, ReadsTheBenchmarkShapes) {
  expect_parsed_like_yaml_cpp(bench_manifest(50, false, false));
  expect_parsed_like_yaml_cpp(bench_manifest(50, false, true));
  expect_parsed_like_yaml_cpp(bench_manifest(50, true, false));
  expect_parsed_like_yaml_cpp(
      "name: bench_fanout\ntasks:\n  - name: t1\n    uses: builtin.fail\n"
      "    with: {permanent: true}\n    depends_on: [t0]\n");
}

// Writes random documents inside the subset: every one must be read, and read as yaml-cpp does.
class SubsetWriter {
 public:
  explicit SubsetWriter(uint32_t seed) : rng_(seed) {}

  std::string document() {
    text_.clear();
    int indent = pick(4) == 0 ? 1 + pick(2) : 0;
    filler();
    if (pick(3) == 0) {
      sequence(indent, 0);
    } else {
      map(indent, 0, false);
    }
    filler();
    return text_;
  }

 private:
  int pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }
  void spaces(int n) { text_.append(static_cast<size_t>(n), ' '); }

  // Blank and comment lines, anywhere between lines.
  void filler() {
    while (pick(5) == 0) {
      spaces(pick(6));
      if (pick(2) == 0) text_ += "# note: - [x] 'y'";
      text_ += "\n";
    }
  }

  void end_line() {
    if (pick(5) == 0) spaces(1 + pick(2));
    if (pick(6) == 0) text_ += " # comment: x";
    text_ += "\n";
    filler();
  }

  std::string chars(const char* set, int n) {
    std::string s;
    size_t size = std::string_view(set).size();
    for (int i = 0; i < n; ++i) s += set[static_cast<size_t>(pick(static_cast<int>(size)))];
    return s;
  }

  std::string scalar(bool flow) {
    static const char* words[] = {"t0",  "~",   "null",  "Null",      "NULL",  "nul", "-1",
                                  "0.5", "x y", "a_b.c", "/bin/true", "$HOME", "+1",  "(x)"};
    static const char* block_words[] = {"${params.x}", "http://h:80/p", "a, b [c] {d}",
                                        "it's \"q\"", "a - b ? c | d > e ! f & g * h % i @ j"};
    if (pick(3) == 0) return words[pick(static_cast<int>(std::size(words)))];
    if (!flow && pick(4) == 0) return block_words[pick(static_cast<int>(std::size(block_words)))];
    std::string s = chars("abcXYZ019_./$~+(", 1);
    s += chars(flow ? "ab9_./-+$~=@() " : "ab9_./-+$~=@() ,[]{}'\"!&*|>%?`\\", pick(8));
    while (s.back() == ' ') s.pop_back();
    return s;
  }

  std::string key() {
    std::string s = chars("abkZ09_", 1) + chars("ak9_.-/$+~ ", pick(6));
    while (s.back() == ' ') s.pop_back();
    return s;
  }

  void flow(int depth) {
    bool is_map = pick(2) == 0;
    text_ += is_map ? "{" : "[";
    spaces(pick(2));
    int n = pick(4);
    for (int i = 0; i < n; ++i) {
      if (i > 0) {
        spaces(pick(2));
        text_ += ",";
        spaces(pick(3));
      }
      if (is_map) {
        text_ += scalar(true);
        spaces(pick(2));
        text_ += ":";
        spaces(1 + pick(2));
      }
      if (depth < 3 && pick(5) == 0) {
        flow(depth + 1);
      } else {
        text_ += scalar(true);
      }
    }
    spaces(pick(2));
    text_ += is_map ? "}" : "]";
  }

  // A value after `key:` or `- `, inline or on the lines below.
  void value(int indent, int depth, bool in_map) {
    int choice = depth >= 4 ? pick(2) : pick(5);
    if (choice == 0) {
      text_ += scalar(false);
      end_line();
    } else if (choice == 1) {
      flow(0);
      end_line();
    } else if (!in_map) {
      map(indent, depth + 1, true);  // `- key: ...`: the first key on the entry's line
    } else {
      end_line();
      int inner = indent + 1 + pick(3);
      if (choice == 2) {
        map(inner, depth + 1, false);
      } else {
        sequence(choice == 3 ? indent : inner, depth + 1);  // maybe at the key's indentation
      }
    }
  }

  void map(int indent, int depth, bool first_inline) {
    int n = 1 + pick(4);
    for (int i = 0; i < n; ++i) {
      if (i > 0 || !first_inline) spaces(indent);
      text_ += key();
      if (pick(6) == 0) spaces(1);
      text_ += ":";
      spaces(1 + pick(2));
      value(indent, depth, true);
    }
  }

  void sequence(int indent, int depth) {
    int n = 1 + pick(4);
    for (int i = 0; i < n; ++i) {
      spaces(indent);
      text_ += "-";
      int gap = 1 + pick(3);
      spaces(gap);
      value(indent + 1 + gap, depth, false);
    }
  }

  std::mt19937 rng_;
  std::string text_;
};

TEST(PlainYamlTest, MatchesYamlCppOnRandomSubsetDocuments) {
  SubsetWriter writer(20240611);
  for (int i = 0; i < 3000; ++i) {
    expect_parsed_like_yaml_cpp(writer.document());
    if (HasFailure()) return;  // one bad document is enough to read
  }
}

// Random documents with a few bytes changed: whatever the fast parser takes, yaml-cpp must
// take and read the same way.
TEST(PlainYamlTest, AgreesWithYamlCppOnMutatedDocuments) {
  SubsetWriter writer(7);
  std::mt19937 rng(11);
  const std::string bytes = " \n-:#[]{},'\"!&*|>%?@`~.ab0\t";
  for (int i = 0; i < 5000; ++i) {
    std::string text = writer.document();
    for (uint32_t m = rng() % 3; m < 3; ++m) {
      size_t at = rng() % text.size();
      char c = bytes[rng() % bytes.size()];
      switch (rng() % 3) {
        case 0:
          text[at] = c;
          break;
        case 1:
          text.insert(at, 1, c);
          break;
        default:
          text.erase(at, 1);
          break;
      }
      if (text.empty()) break;
    }
    expect_agrees_if_taken(text);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace flowweaver
