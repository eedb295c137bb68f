// Builds a YamlTree from a document's node events, in document order, and refuses what the
// readers cannot take: nesting deeper than they recurse, aliases to unknown or unfinished
// anchors, aliases that would expand the document past a bound (an "alias bomb"), tags other
// than the core ones for strings, sequences and maps, and merge keys (`<<`). Each refusal is a
// YamlSyntaxError naming the node. It knows nothing of libyaml (yaml_events.h feeds it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// What every node event carries. Views: valid for the call only.
struct YamlNodeStart {
  SourceLocation location;
  std::string_view anchor;  // empty: none
  std::string_view tag;     // as resolved by the parser ("tag:yaml.org,2002:str"); empty: none
};

class YamlTreeBuilder {
 public:
  // Collections nested deeper than this are refused: the readers recurse once per level.
  static constexpr size_t kMaxDepth = 1000;
  // Nodes that aliases may add to a document when expanded: a few aliases of aliases could
  // otherwise stand for billions of nodes, which every reader would walk.
  static constexpr uint64_t kMaxAliasNodes = 1'000'000;

  // `text_size` sizes the arrays up front.
  explicit YamlTreeBuilder(size_t text_size);

  // Only a plain scalar (no quotes, no block indicator) can be null or `<<`.
  void scalar(const YamlNodeStart& start, std::string_view value, YamlScalarStyle style,
              bool single_line);
  void alias(SourceLocation location, std::string_view anchor);
  void start_sequence(const YamlNodeStart& start);
  void start_map(const YamlNodeStart& start);
  void end_collection();

  // The tree, with a null root without location when no node came.
  YamlTree finish();

 private:
  struct OpenCollection {
    uint32_t node;
    size_t first_pending;
  };
  // What an alias of a node costs: the nodes and the levels of collections it stands for.
  struct Extent {
    uint64_t num_nodes = 0;
    size_t depth = 0;
  };

  uint32_t add_node(const YamlNodeStart& start, YamlType type, YamlTag tag);
  void start_collection(const YamlNodeStart& start, YamlType type, YamlTag tag);
  void attach(uint32_t index);
  bool at_map_key() const;
  YamlTag collection_tag(const YamlNodeStart& start, std::string_view core_tag) const;
  YamlTag scalar_tag(const YamlNodeStart& start, bool plain) const;
  // Walks the finished node `index`, aliases expanded, stopping once past `max_nodes`.
  Extent measure(uint32_t index, uint64_t max_nodes) const;

  YamlTree tree_;
  std::vector<OpenCollection> open_;
  std::vector<uint32_t> pending_;  // children of the open collections, innermost last
  std::unordered_map<std::string, uint32_t> anchors_;
  uint64_t num_alias_nodes_ = 0;
  bool has_root_ = false;
};

}  // namespace flowweaver
