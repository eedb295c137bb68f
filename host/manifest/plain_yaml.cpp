#include "manifest/plain_yaml.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace flowweaver {
namespace {

constexpr uint32_t kNullTag = 0;   // YamlTree::tags_[0] == ""
constexpr uint32_t kPlainTag = 1;  // YamlTree::tags_[1] == "?"
// Manifests nest a handful of levels; yaml-cpp gives up at 500. Deep text goes to yaml-cpp.
constexpr int kMaxDepth = 64;
// yaml-cpp refuses a key running more than 1024 characters up to its ':'.
constexpr size_t kMaxKeyBytes = 1000;
// YamlTree's offsets are 32-bit; bigger text is left to yaml-cpp's own checks.
constexpr size_t kMaxTextBytes = size_t{1} << 30;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Printable ASCII and newlines only: no tabs (indentation rules), no CR (line counting), no
// bytes whose columns or encoding would need yaml-cpp's reading.
bool all_plain_bytes(std::string_view text) {
  for (char c : text) {
    if ((c < ' ' || c > '~') && c != '\n') return false;
  }
  return true;
}

// Whether a plain scalar may start at `i`: a narrow set that keeps clear of every YAML indicator
// (`-` only before a letter or digit, as in `-1`).
bool starts_plain(std::string_view text, size_t i) {
  if (i >= text.size()) return false;
  char c = text[i];
  if (is_alnum(c) || std::strchr("_./$~+(", c) != nullptr) return true;
  return c == '-' && i + 1 < text.size() && is_alnum(text[i + 1]);
}

bool is_key_char(char c) { return is_alnum(c) || std::strchr("_.-/$+~ ", c) != nullptr; }

// Inside flow collections `,[]{}:#` all mean something; keep to a set that means nothing.
bool is_flow_char(char c) { return is_alnum(c) || std::strchr("_./-+$~=@() ", c) != nullptr; }

// The plain scalars yaml-cpp reports as null (YAML::IsNullString).
bool is_null_word(std::string_view s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

}  // namespace

// A recursive descent over significant lines (not blank, not only a comment). Each block
// collection owns the lines at its indentation; anything it does not expect ends the parse.
// Children wait on one stack until their collection closes, as in YamlTreeBuilder.
class PlainYamlParser {
 public:
  explicit PlainYamlParser(std::string_view text) : text_(text) {}

  std::optional<YamlTree> parse() {
    if (text_.size() > kMaxTextBytes || !all_plain_bytes(text_)) return std::nullopt;
    tree_.tags_ = {"", "?", "!"};
    tree_.nodes_.reserve(text_.size() / 8 + 1);
    tree_.children_.reserve(text_.size() / 8 + 1);
    tree_.text_.reserve(text_.size() / 2 + 1);
    if (!seek_significant_line() || at_end()) return std::nullopt;
    if (!parse_block_node(0) || !at_end()) return std::nullopt;
    tree_.root_ = pending_.back();
    return std::move(tree_);
  }

 private:
  bool at_end() const { return indent_ < 0; }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\n'; }
  bool at_line_end() const { return peek() == '\n'; }
  void skip_spaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  // A block sequence entry: `-` then a space or the end of the line.
  bool is_entry(size_t i) const {
    return text_[i] == '-' &&
           (i + 1 == text_.size() || text_[i + 1] == ' ' || text_[i + 1] == '\n');
  }

  // From the start of a line, moves to the first character of the next significant line and
  // sets its indentation (-1 at the end of the text). False for a document marker.
  bool seek_significant_line() {
    while (true) {
      size_t begin = pos_;
      while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
      if (pos_ == text_.size()) {
        indent_ = -1;
        return true;
      }
      if (text_[pos_] != '\n' && text_[pos_] != '#') {
        if (pos_ == begin && (text_.substr(pos_, 3) == "---" || text_.substr(pos_, 3) == "...")) {
          return false;
        }
        line_begin_ = begin;
        indent_ = static_cast<int>(pos_ - begin);
        return true;
      }
      if (!skip_past_line_end()) return true;
    }
  }

  // Moves past the next newline; false (at the end of the text) when there is none.
  bool skip_past_line_end() {
    const void* newline = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
    if (newline == nullptr) {
      pos_ = text_.size();
      indent_ = -1;
      return false;
    }
    pos_ = static_cast<size_t>(static_cast<const char*>(newline) - text_.data()) + 1;
    ++line_;
    return true;
  }

  // After a value: only spaces or a comment may follow on its line. Then on to the next line.
  bool finish_line() {
    size_t value_end = pos_;
    skip_spaces();
    if (!at_line_end() && !(peek() == '#' && pos_ > value_end)) return false;
    return next_line();
  }

  bool next_line() {
    if (!skip_past_line_end()) return true;
    return seek_significant_line();
  }

  // A block collection: a sequence if the line is an entry, else a map.
  bool parse_block_node(int depth) {
    if (is_entry(pos_)) return parse_block_sequence(indent_, depth);
    return parse_block_map(indent_, depth);
  }

  bool parse_block_sequence(int indent, int depth) {
    if (depth > kMaxDepth) return false;
    uint32_t sequence = open(YamlType::kSequence, pos_);
    do {
      ++pos_;  // the '-'
      skip_spaces();
      // An empty entry or one whose value starts on the next line: not in the subset.
      if (at_line_end() || peek() == '#') return false;
      if (!parse_entry_value(depth)) return false;
      if (indent_ > indent) return false;
    } while (indent_ == indent && is_entry(pos_));
    close(sequence);
    return true;
  }

  // What follows `- `: a map whose first key is on this line, a flow collection or a scalar.
  bool parse_entry_value(int depth) {
    if (peek() == '-' && is_entry(pos_)) return false;  // `- - x`
    if (peek() != '[' && peek() != '{' && starts_key()) {
      return parse_block_map(static_cast<int>(pos_ - line_begin_), depth + 1);
    }
    return parse_inline_value(depth);
  }

  // Whether the rest of the line holds `key:` (a ':' before a space or the line's end).
  bool starts_key() const {
    for (size_t i = pos_; i < text_.size() && text_[i] != '\n'; ++i) {
      if (text_[i] == '#' && text_[i - 1] == ' ') return false;
      if (text_[i] == ':' &&
          (i + 1 == text_.size() || text_[i + 1] == ' ' || text_[i + 1] == '\n')) {
        return true;
      }
    }
    return false;
  }

  // A map whose first key is at pos_ and whose keys are all indented by `indent`.
  bool parse_block_map(int indent, int depth) {
    if (depth > kMaxDepth) return false;
    uint32_t map = open(YamlType::kMap, pos_);
    while (true) {
      if (!parse_block_key()) return false;
      skip_spaces();
      // A '#' here follows the space after the ':': a comment.
      bool value_ok = (at_line_end() || peek() == '#') ? parse_value_below(indent, depth)
                                                       : parse_inline_value(depth);
      if (!value_ok || indent_ > indent) return false;
      if (indent_ < indent) break;
      if (is_entry(pos_)) return false;  // an entry where a key belongs
    }
    close(map);
    return true;
  }

  // A value on the lines after its key: more indented, or a sequence at the key's indentation.
  bool parse_value_below(int indent, int depth) {
    if (!next_line()) return false;
    if (indent_ > indent) return parse_block_node(depth + 1);
    if (indent_ == indent && is_entry(pos_)) return parse_block_sequence(indent, depth + 1);
    return false;  // an empty value: its null's location is yaml-cpp's business
  }

  // `key:` with the key a plain scalar; leaves pos_ after the ':'.
  bool parse_block_key() {
    size_t begin = pos_;
    if (!is_alnum(peek()) && peek() != '_') return false;
    size_t end = begin;
    for (; pos_ < text_.size() && text_[pos_] != ':'; ++pos_) {
      if (!is_key_char(text_[pos_])) return false;
      if (text_[pos_] != ' ') end = pos_ + 1;
    }
    if (pos_ == text_.size() || pos_ - begin > kMaxKeyBytes) return false;
    ++pos_;  // the ':'
    if (!at_line_end() && peek() != ' ') return false;
    add_scalar(begin, end);
    return true;
  }

  // A value on its key's or entry's line, then the rest of that line.
  bool parse_inline_value(int depth) {
    if (peek() == '[' || peek() == '{') {
      if (!parse_flow(depth + 1)) return false;
    } else {
      size_t begin = pos_;
      if (!starts_plain(text_, begin) || !scan_block_scalar()) return false;
      add_scalar(begin, pos_);
    }
    return finish_line();
  }

  // Moves pos_ to the end of a one-line plain scalar (trailing spaces excluded). False for a
  // `: ` (a map where yaml-cpp wants none) or a '#' not starting a comment.
  bool scan_block_scalar() {
    size_t end = pos_;
    for (size_t i = pos_; i < text_.size() && text_[i] != '\n'; ++i) {
      char c = text_[i];
      if (c == ' ') continue;
      if (c == '#') {
        if (text_[i - 1] == ' ') break;
        return false;
      }
      if (c == ':' && (i + 1 == text_.size() || text_[i + 1] == ' ' || text_[i + 1] == '\n')) {
        return false;
      }
      end = i + 1;
    }
    pos_ = end;
    return true;
  }

  // `[a, b]` or `{k: v}` on one line, of plain scalars or flow collections.
  bool parse_flow(int depth) {
    if (depth > kMaxDepth) return false;
    const bool is_map = peek() == '{';
    const char closer = is_map ? '}' : ']';
    uint32_t collection = open(is_map ? YamlType::kMap : YamlType::kSequence, pos_);
    ++pos_;
    skip_spaces();
    if (peek() == closer) {
      ++pos_;
      close(collection);
      return true;
    }
    while (true) {
      if (is_map && !parse_flow_key()) return false;
      if (!parse_flow_item(depth)) return false;
      skip_spaces();
      if (peek() == closer) break;
      if (peek() != ',') return false;
      ++pos_;
      skip_spaces();
    }
    ++pos_;
    close(collection);
    return true;
  }

  bool parse_flow_item(int depth) {
    if (peek() == '[' || peek() == '{') return parse_flow(depth + 1);
    size_t begin = pos_;
    if (!starts_plain(text_, begin) || !scan_flow_scalar()) return false;
    add_scalar(begin, pos_);
    return true;
  }

  // `key: ` inside a flow map; leaves pos_ at the value.
  bool parse_flow_key() {
    size_t begin = pos_;
    if (!starts_plain(text_, begin) || !scan_flow_scalar()) return false;
    add_scalar(begin, pos_);
    skip_spaces();
    if (peek() != ':' || pos_ - begin > kMaxKeyBytes) return false;
    if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != ' ') return false;
    ++pos_;
    skip_spaces();
    return true;
  }

  // Moves pos_ to the end of a plain scalar inside a flow collection (trailing spaces
  // excluded), which ends at `,`, `:` or a closing bracket.
  bool scan_flow_scalar() {
    size_t end = pos_;
    for (size_t i = pos_; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == ',' || c == ']' || c == '}' || c == ':') break;
      if (!is_flow_char(c)) return false;
      if (c != ' ') end = i + 1;
    }
    pos_ = end;
    return true;
  }

  uint32_t add_node(YamlType type, uint32_t tag, size_t at) {
    auto index = static_cast<uint32_t>(tree_.nodes_.size());
    YamlTree::Node& node = tree_.nodes_.emplace_back();
    node.line = line_;
    node.column = static_cast<int32_t>(at - line_begin_) + 1;
    node.tag = tag;
    node.type = type;
    return index;
  }

  void add_scalar(size_t begin, size_t end) {
    std::string_view value = text_.substr(begin, end - begin);
    if (is_null_word(value)) {
      pending_.push_back(add_node(YamlType::kNull, kNullTag, begin));
      return;
    }
    uint32_t index = add_node(YamlType::kScalar, kPlainTag, begin);
    tree_.nodes_[index].begin = static_cast<uint32_t>(tree_.text_.size());
    tree_.nodes_[index].size = static_cast<uint32_t>(value.size());
    tree_.text_.append(value);
    pending_.push_back(index);
  }

  // Returns where the collection's children start on the pending stack.
  uint32_t open(YamlType type, size_t at) {
    uint32_t index = add_node(type, kPlainTag, at);
    tree_.nodes_[index].begin = static_cast<uint32_t>(pending_.size());
    return index;
  }

  void close(uint32_t index) {
    YamlTree::Node& node = tree_.nodes_[index];
    size_t first = node.begin;
    node.begin = static_cast<uint32_t>(tree_.children_.size());
    node.size = static_cast<uint32_t>(pending_.size() - first);
    tree_.children_.insert(tree_.children_.end(), pending_.begin() + static_cast<ptrdiff_t>(first),
                           pending_.end());
    pending_.resize(first);
    pending_.push_back(index);
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_begin_ = 0;  // where the line of pos_ starts
  int32_t line_ = 1;       // pos_'s, 1-based
  int indent_ = 0;         // the current significant line's; -1 past the last one
  YamlTree tree_;
  std::vector<uint32_t> pending_;  // completed nodes waiting for their collection to close
};

std::optional<YamlTree> parse_plain_yaml(std::string_view text) {
  return PlainYamlParser(text).parse();
}

}  // namespace flowweaver
