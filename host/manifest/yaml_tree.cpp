#include "manifest/yaml_tree.h"

#include <array>

namespace flowweaver {
namespace {

// Indexed by YamlTag.
constexpr std::array<std::string_view, 6> kTagNames = {
    "", "?", "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"};

}  // namespace

YamlType YamlNode::type() const { return tree_->nodes_[index_].type; }

std::string_view YamlNode::scalar() const {
  const YamlTree::Node& node = tree_->nodes_[index_];
  if (node.type != YamlType::kScalar) return {};
  return std::string_view(tree_->text_).substr(node.begin, node.size);
}

std::string_view YamlNode::tag() const {
  return kTagNames[static_cast<size_t>(tree_->nodes_[index_].tag)];
}

SourceLocation YamlNode::location() const {
  const YamlTree::Node& node = tree_->nodes_[index_];
  return {node.line, node.column};
}

YamlScalarStyle YamlNode::scalar_style() const { return tree_->nodes_[index_].style; }

bool YamlNode::scalar_single_line() const { return tree_->nodes_[index_].single_line; }

size_t YamlNode::size() const {
  const YamlTree::Node& node = tree_->nodes_[index_];
  if (node.type == YamlType::kSequence) return node.size;
  if (node.type == YamlType::kMap) return node.size / 2;
  return 0;
}

YamlNode YamlNode::item(size_t i) const {
  return YamlNode(tree_, tree_->children_[tree_->nodes_[index_].begin + i]);
}

YamlNode YamlNode::key(size_t i) const {
  return YamlNode(tree_, tree_->children_[tree_->nodes_[index_].begin + 2 * i]);
}

YamlNode YamlNode::value(size_t i) const {
  return YamlNode(tree_, tree_->children_[tree_->nodes_[index_].begin + 2 * i + 1]);
}

YamlNode YamlNode::find(std::string_view wanted) const {
  if (!is_map()) return {};
  for (size_t i = 0, n = size(); i < n; ++i) {
    YamlNode k = key(i);
    if (k.is_scalar() && k.scalar() == wanted) return value(i);
  }
  return {};
}

}  // namespace flowweaver
