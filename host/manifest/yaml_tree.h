// A compact, read-only YAML document built from yaml-cpp's parser events. It holds what the
// readers need (types, scalars, tags, 1-based locations) in a few flat arrays, so a manifest
// of 100,000 tasks costs tens of bytes per node instead of yaml-cpp's node graph of
// shared pointers and per-node allocations.
//
// It mirrors what YAML::Load would give: an alias is the anchored node itself (same location),
// map pairs keep duplicates in document order, and a key lookup finds the first match. One
// exception: an alias inside the node it refers to is an error here, not a cycle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/diagnostic.h"

namespace flowweaver {

class YamlTree;

enum class YamlType : uint8_t { kNull, kScalar, kSequence, kMap };

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
  // yaml-cpp's tag: "?" for a plain scalar or collection, "!" for a quoted scalar, the
  // resolved tag when one is written, "" for null.
  std::string_view tag() const;
  // Where the node starts; {} for the root of an empty document.
  SourceLocation location() const;

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
  // The first document in `text` (later ones are ignored, as YAML::Load does); an empty text
  // gives a null root. Throws yaml-cpp's YAML::ParserException (YAML::DeepRecursion for
  // nesting too deep) on invalid YAML; yaml_document.h turns those into diagnostics.
  static YamlTree parse(std::string_view text);

  YamlNode root() const { return YamlNode(this, root_); }

 private:
  friend class YamlNode;
  friend class YamlTreeBuilder;
  friend class PlainYamlParser;  // manifest/plain_yaml.h: builds trees without yaml-cpp

  struct Node {
    uint32_t begin = 0;  // scalar: offset in text_; collection: first entry in children_
    uint32_t size = 0;   // scalar: bytes; sequence: items; map: 2 per pair (key, value)
    int32_t line = 0;    // 1-based; 0 when unknown
    int32_t column = 0;
    uint32_t tag : 24 = 0;  // index in tags_
    YamlType type : 8 = YamlType::kNull;
  };

  std::vector<Node> nodes_;
  std::vector<uint32_t> children_;  // node indices, each collection's contiguous
  std::string text_;                // every scalar's text, back to back
  std::vector<std::string> tags_;   // fewer than 2^24
  uint32_t root_ = 0;
};

}  // namespace flowweaver
