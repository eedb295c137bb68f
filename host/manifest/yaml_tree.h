// A compact, read-only YAML document built from libyaml's parser events (yaml_tree_builder.h).
// It holds what the readers need (types, scalars, tags, 1-based locations) in a few flat
// arrays, so a manifest of 100,000 tasks costs tens of bytes per node.
//
// An alias is the anchored node itself (same location: errors in it point at the anchor); map
// pairs keep duplicates in document order, and a key lookup finds the first match.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/diagnostic.h"

namespace flowweaver {

class YamlTree;

enum class YamlType : uint8_t { kNull, kScalar, kSequence, kMap };
// The tags a tree can hold; YamlNode::tag() spells them out.
enum class YamlTag : uint8_t { kNull, kPlain, kNonSpecific, kStr, kSeq, kMap };
// How a scalar was written: what turns a position inside its text into a column of the file.
enum class YamlScalarStyle : uint8_t { kPlain, kSingleQuoted, kDoubleQuoted, kBlock };

// A handle on one node of a YamlTree, valid while the tree lives. A default-constructed
// handle stands for a missing node and is false.
class YamlNode {
 public:
  YamlNode() = default;
  YamlNode(const YamlTree* tree, uint32_t index) : tree_(tree), index_(index) {}

  explicit operator bool() const { return tree_ != nullptr; }
  YamlType type() const;
  bool is_null() const { return type() == YamlType::kNull; }
  bool is_scalar() const { return type() == YamlType::kScalar; }
  bool is_sequence() const { return type() == YamlType::kSequence; }
  bool is_map() const { return type() == YamlType::kMap; }

  // The scalar's text; empty for other nodes.
  std::string_view scalar() const;
  // "?" for a plain scalar or an untagged collection, "!" for a quoted scalar or one written
  // with the non-specific tag `!`, "" for null, or one of the core tags the builder accepts
  // in full (tag:yaml.org,2002:str, :seq, :map).
  std::string_view tag() const;
  // Where the node starts; {} for the root of an empty document.
  SourceLocation location() const;
  // For scalars: how it was written, and whether it began and ended on one line.
  YamlScalarStyle scalar_style() const;
  bool scalar_single_line() const;

  // Items of a sequence or pairs of a map; 0 for anything else.
  size_t size() const;
  YamlNode item(size_t i) const;   // sequences
  YamlNode key(size_t i) const;    // maps: pair i
  YamlNode value(size_t i) const;  // maps: pair i
  // The value of the first pair whose key is the scalar `key`, or a missing node.
  YamlNode find(std::string_view key) const;

 private:
  friend class YamlTree;
  const YamlTree* tree_ = nullptr;
  uint32_t index_ = 0;
};

class YamlTree {
 public:
  YamlNode root() const { return YamlNode(this, root_); }

 private:
  friend class YamlNode;
  friend class YamlTreeBuilder;

  struct Node {
    uint32_t begin = 0;  // scalar: offset in text_; collection: first entry in children_
    uint32_t size = 0;   // scalar: bytes; sequence: items; map: 2 per pair (key, value)
    int32_t line = 0;    // 1-based; 0 when unknown
    int32_t column = 0;
    YamlTag tag = YamlTag::kNull;
    YamlType type = YamlType::kNull;
    YamlScalarStyle style = YamlScalarStyle::kPlain;  // scalars only
    bool single_line = true;                          // scalars only
  };

  std::vector<Node> nodes_;
  std::vector<uint32_t> children_;  // node indices, each collection's contiguous
  std::string text_;                // every scalar's text, back to back
  uint32_t root_ = 0;
};

}  // namespace flowweaver
