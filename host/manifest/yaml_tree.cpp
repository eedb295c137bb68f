#include "manifest/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <limits>
#include <unordered_map>

#include "manifest/view_streambuf.h"

namespace flowweaver {
namespace {

constexpr uint32_t kNullTag = 0;  // tags_[0] == ""
constexpr uint32_t kOpen = std::numeric_limits<uint32_t>::max();
constexpr size_t kMaxTags = size_t{1} << 24;  // YamlTree::Node::tag's width

}  // namespace

// Turns parser events into nodes. Children of the collections still open wait on one shared
// stack and move to the tree's child array when their collection ends, so every collection's
// children are contiguous without a vector per collection.
class YamlTreeBuilder : public YAML::EventHandler {
 public:
  YamlTreeBuilder(YamlTree* tree, size_t text_size) : tree_(tree) {
    tree_->tags_ = {"", "?", "!"};
    // Typical YAML spends several bytes per node: reserve so the arrays seldom move. Pages
    // reserved but never written cost no memory.
    tree_->nodes_.reserve(text_size / 4 + 1);
    tree_->children_.reserve(text_size / 4 + 1);
    tree_->text_.reserve(text_size / 2 + 1);
    anchors_.push_back(0);  // yaml-cpp numbers anchors from 1
  }

  // True once a document's root is complete.
  bool has_root() const { return has_root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    attach(add_node(mark, YamlType::kNull, kNullTag, anchor));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size()) throw YAML::ParserException(mark, "unknown anchor");
    uint32_t target = anchors_[anchor];
    if (tree_->nodes_[target].size == kOpen) {
      // yaml-cpp would build a cycle that every later walk follows forever.
      throw YAML::ParserException(mark, "an alias may not refer to a node that contains it");
    }
    attach(target);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    uint32_t index = add_node(mark, YamlType::kScalar, intern_tag(mark, tag), anchor);
    std::string& text = tree_->text_;
    if (value.size() > kOpen - 1 - text.size()) {
      throw YAML::ParserException(mark, "the document is too large to read (over 4 GiB)");
    }
    tree_->nodes_[index].begin = static_cast<uint32_t>(text.size());
    tree_->nodes_[index].size = static_cast<uint32_t>(value.size());
    text.append(value);
    attach(index);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(add_node(mark, YamlType::kSequence, intern_tag(mark, tag), anchor));
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(add_node(mark, YamlType::kMap, intern_tag(mark, tag), anchor));
  }
  void OnMapEnd() override { close(); }

 private:
  struct OpenCollection {
    uint32_t node;
    size_t first_pending;
  };

  uint32_t add_node(const YAML::Mark& mark, YamlType type, uint32_t tag, YAML::anchor_t anchor) {
    std::vector<YamlTree::Node>& nodes = tree_->nodes_;
    if (nodes.size() >= kOpen - 1) {
      throw YAML::ParserException(mark, "the document has too many nodes to read");
    }
    auto index = static_cast<uint32_t>(nodes.size());
    YamlTree::Node& node = nodes.emplace_back();
    node.line = mark.line + 1;
    node.column = mark.column + 1;
    node.tag = tag;
    node.type = type;
    if (anchor != YAML::NullAnchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, 0);
      anchors_[anchor] = index;
    }
    return index;
  }

  void open(uint32_t index) {
    tree_->nodes_[index].size = kOpen;
    open_.push_back({index, pending_.size()});
  }

  void close() {
    OpenCollection top = open_.back();
    open_.pop_back();
    YamlTree::Node& node = tree_->nodes_[top.node];
    node.begin = static_cast<uint32_t>(tree_->children_.size());
    node.size = static_cast<uint32_t>(pending_.size() - top.first_pending);
    tree_->children_.insert(tree_->children_.end(), pending_.begin() + top.first_pending,
                            pending_.end());
    pending_.resize(top.first_pending);
    attach(top.node);
  }

  // A completed node joins the innermost open collection, or becomes the root.
  void attach(uint32_t index) {
    if (open_.empty()) {
      tree_->root_ = index;
      has_root_ = true;
    } else {
      pending_.push_back(index);
    }
  }

  uint32_t intern_tag(const YAML::Mark& mark, const std::string& tag) {
    if (tag.empty()) return kNullTag;
    if (tag == "?") return 1;
    if (tag == "!") return 2;
    auto [it, inserted] = other_tags_.emplace(tag, static_cast<uint32_t>(tree_->tags_.size()));
    if (inserted) {
      if (tree_->tags_.size() >= kMaxTags) {
        throw YAML::ParserException(mark, "the document has too many different tags to read");
      }
      tree_->tags_.push_back(tag);
    }
    return it->second;
  }

  YamlTree* tree_;
  std::vector<OpenCollection> open_;
  std::vector<uint32_t> pending_;
  std::vector<uint32_t> anchors_;  // anchor id -> node
  std::unordered_map<std::string, uint32_t> other_tags_;
  bool has_root_ = false;
};

YamlTree YamlTree::parse(std::string_view text) {
  YamlTree tree;
  ViewStreamBuf buffer(text);
  std::istream in(&buffer);
  YamlTreeBuilder builder(&tree, text.size());
  YAML::Parser parser(in);
  parser.HandleNextDocument(builder);
  if (!builder.has_root()) {
    // No document at all, as YAML::Load's Node(): null, with no location.
    tree.root_ = static_cast<uint32_t>(tree.nodes_.size());
    tree.nodes_.emplace_back();
  }
  return tree;
}

YamlType YamlNode::type() const { return tree_->nodes_[index_].type; }

std::string_view YamlNode::scalar() const {
  const YamlTree::Node& node = tree_->nodes_[index_];
  if (node.type != YamlType::kScalar) return {};
  return std::string_view(tree_->text_).substr(node.begin, node.size);
}

std::string_view YamlNode::tag() const { return tree_->tags_[tree_->nodes_[index_].tag]; }

SourceLocation YamlNode::location() const {
  const YamlTree::Node& node = tree_->nodes_[index_];
  return {node.line, node.column};
}

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
