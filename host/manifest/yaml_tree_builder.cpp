#include "manifest/yaml_tree_builder.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "manifest/yaml_syntax_error.h"
#include "manifest/yaml_value.h"

namespace flowweaver {
namespace {

// A collection's size while it is open: an alias to it would make a cycle.
constexpr uint32_t kOpen = std::numeric_limits<uint32_t>::max();
constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

// "!!int" for the core schema's tags, as the user most likely wrote them.
std::string shown_tag(std::string_view tag) {
  if (tag.starts_with(kCoreTagPrefix)) return "!!" + std::string(tag.substr(kCoreTagPrefix.size()));
  return std::string(tag);
}

[[noreturn]] void refuse_tag(const YamlNodeStart& start) {
  throw YamlSyntaxError(start.location,
                        "unsupported YAML tag '" + shown_tag(start.tag) +
                            "': remove it; a value's type comes from how it is written (50 is a "
                            "number, \"50\" a string, [a] a list)");
}

}  // namespace

YamlTreeBuilder::YamlTreeBuilder(size_t text_size) {
  // Typical YAML spends several bytes per node: reserve so the arrays seldom move. Pages
  // reserved but never written cost no memory.
  tree_.nodes_.reserve(text_size / 4 + 1);
  tree_.children_.reserve(text_size / 4 + 1);
  tree_.text_.reserve(text_size / 2 + 1);
}

void YamlTreeBuilder::scalar(const YamlNodeStart& start, std::string_view value,
                             YamlScalarStyle style, bool single_line) {
  bool plain = style == YamlScalarStyle::kPlain;
  if (plain && start.tag.empty() && value == "<<" && at_map_key()) {
    throw YamlSyntaxError(start.location,
                          "merge keys ('<<') are not supported: write the keys out (or quote "
                          "'<<' for a key of that name)");
  }
  if (plain && start.tag.empty() && is_null_word(value)) {
    attach(add_node(start, YamlType::kNull, YamlTag::kNull));
    return;
  }
  uint32_t index = add_node(start, YamlType::kScalar, scalar_tag(start, plain));
  std::string& text = tree_.text_;
  if (value.size() > kOpen - 1 - text.size()) {
    throw YamlSyntaxError(start.location, "the document is too large to read (over 4 GiB)");
  }
  tree_.nodes_[index].begin = static_cast<uint32_t>(text.size());
  tree_.nodes_[index].size = static_cast<uint32_t>(value.size());
  tree_.nodes_[index].style = style;
  tree_.nodes_[index].single_line = single_line;
  text.append(value);
  attach(index);
}

void YamlTreeBuilder::alias(SourceLocation location, std::string_view anchor) {
  auto it = anchors_.find(std::string(anchor));
  if (it == anchors_.end()) {
    throw YamlSyntaxError(location, "alias '*" + std::string(anchor) +
                                        "' names no anchor before it: define '&" +
                                        std::string(anchor) + "' first");
  }
  uint32_t target = it->second;
  if (tree_.nodes_[target].size == kOpen) {
    throw YamlSyntaxError(location, "alias '*" + std::string(anchor) +
                                        "' is inside the node it names, which would make it "
                                        "endless: write the value out");
  }
  Extent extent = measure(target, kMaxAliasNodes - num_alias_nodes_);
  num_alias_nodes_ += extent.num_nodes;
  if (num_alias_nodes_ > kMaxAliasNodes) {
    throw YamlSyntaxError(location, "aliases expand the document by over " +
                                        std::to_string(kMaxAliasNodes) +
                                        " nodes: write the values out instead");
  }
  if (open_.size() + extent.depth > kMaxDepth) {
    throw YamlSyntaxError(location, "invalid YAML: alias '*" + std::string(anchor) +
                                        "' nests values over " + std::to_string(kMaxDepth) +
                                        " levels deep, beyond what the reader accepts; flatten "
                                        "the value");
  }
  attach(target);
}

void YamlTreeBuilder::start_sequence(const YamlNodeStart& start) {
  start_collection(start, YamlType::kSequence, collection_tag(start, "seq"));
}

void YamlTreeBuilder::start_map(const YamlNodeStart& start) {
  start_collection(start, YamlType::kMap, collection_tag(start, "map"));
}

void YamlTreeBuilder::end_collection() {
  OpenCollection top = open_.back();
  open_.pop_back();
  YamlTree::Node& node = tree_.nodes_[top.node];
  node.begin = static_cast<uint32_t>(tree_.children_.size());
  node.size = static_cast<uint32_t>(pending_.size() - top.first_pending);
  tree_.children_.insert(tree_.children_.end(), pending_.begin() + top.first_pending,
                         pending_.end());
  pending_.resize(top.first_pending);
  attach(top.node);
}

YamlTree YamlTreeBuilder::finish() {
  if (!has_root_) {
    tree_.root_ = static_cast<uint32_t>(tree_.nodes_.size());
    tree_.nodes_.emplace_back();  // null, without a location: an empty document
  }
  return std::move(tree_);
}

uint32_t YamlTreeBuilder::add_node(const YamlNodeStart& start, YamlType type, YamlTag tag) {
  std::vector<YamlTree::Node>& nodes = tree_.nodes_;
  if (nodes.size() >= kOpen - 1) {
    throw YamlSyntaxError(start.location, "the document has too many nodes to read");
  }
  auto index = static_cast<uint32_t>(nodes.size());
  YamlTree::Node& node = nodes.emplace_back();
  node.line = start.location.line;
  node.column = start.location.column;
  node.tag = tag;
  node.type = type;
  // A later anchor of the same name replaces the earlier one, as YAML says.
  if (!start.anchor.empty()) anchors_[std::string(start.anchor)] = index;
  return index;
}

void YamlTreeBuilder::start_collection(const YamlNodeStart& start, YamlType type, YamlTag tag) {
  if (open_.size() >= kMaxDepth) {
    throw YamlSyntaxError(start.location, "invalid YAML: nested over " + std::to_string(kMaxDepth) +
                                              " levels deep, beyond what the reader accepts; "
                                              "flatten the value");
  }
  uint32_t index = add_node(start, type, tag);
  tree_.nodes_[index].size = kOpen;
  open_.push_back({index, pending_.size()});
}

// A completed node joins the innermost open collection, or becomes the root.
void YamlTreeBuilder::attach(uint32_t index) {
  if (open_.empty()) {
    tree_.root_ = index;
    has_root_ = true;
  } else {
    pending_.push_back(index);
  }
}

bool YamlTreeBuilder::at_map_key() const {
  if (open_.empty()) return false;
  const OpenCollection& top = open_.back();
  return tree_.nodes_[top.node].type == YamlType::kMap &&
         (pending_.size() - top.first_pending) % 2 == 0;
}

YamlTag YamlTreeBuilder::collection_tag(const YamlNodeStart& start,
                                        std::string_view core_tag) const {
  if (start.tag.empty()) return YamlTag::kPlain;
  if (start.tag == "!") return YamlTag::kNonSpecific;
  if (start.tag.starts_with(kCoreTagPrefix) &&
      start.tag.substr(kCoreTagPrefix.size()) == core_tag) {
    return core_tag == "seq" ? YamlTag::kSeq : YamlTag::kMap;
  }
  refuse_tag(start);
}

YamlTag YamlTreeBuilder::scalar_tag(const YamlNodeStart& start, bool plain) const {
  if (start.tag.empty()) return plain ? YamlTag::kPlain : YamlTag::kNonSpecific;
  if (start.tag == "!") return YamlTag::kNonSpecific;
  if (start.tag == "tag:yaml.org,2002:str") return YamlTag::kStr;
  refuse_tag(start);
}

YamlTreeBuilder::Extent YamlTreeBuilder::measure(uint32_t index, uint64_t max_nodes) const {
  Extent extent;
  std::vector<std::pair<uint32_t, size_t>> stack = {{index, 1}};  // node, its level
  while (!stack.empty() && extent.num_nodes <= max_nodes) {
    auto [at, level] = stack.back();
    stack.pop_back();
    ++extent.num_nodes;
    const YamlTree::Node& node = tree_.nodes_[at];
    if (node.type != YamlType::kSequence && node.type != YamlType::kMap) continue;
    extent.depth = std::max(extent.depth, level);
    for (uint32_t i = 0; i < node.size; ++i) {
      stack.emplace_back(tree_.children_[node.begin + i], level + 1);
    }
  }
  return extent;
}

}  // namespace flowweaver
