#include "manifest/task_list_split.h"

#include <algorithm>

namespace flowweaver {
namespace {

// Far below yaml-cpp's nesting limit even together, so no part can hit it when the whole would
// not (a part's items sit two levels higher than in the whole document).
constexpr int kMaxIndent = 256;
constexpr int kMaxFlowDepth = 64;

struct Line {
  std::string_view text;  // without its '\n'
  size_t begin = 0;       // offset of its first byte
  int number = 0;         // 1-based
  int indent = 0;         // leading spaces
  std::string_view rest() const { return text.substr(indent); }
  bool blank() const { return rest().empty(); }
  bool comment() const { return !blank() && rest()[0] == '#'; }
  bool entry() const {
    return !blank() && rest()[0] == '-' && (rest().size() == 1 || rest()[1] == ' ');
  }
};

class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // False at the end of the text.
  bool next(Line* line) {
    if (offset_ >= text_.size()) return false;
    size_t end = text_.find('\n', offset_);
    if (end == std::string_view::npos) end = text_.size();
    line->text = text_.substr(offset_, end - offset_);
    line->begin = offset_;
    line->number = ++number_;
    line->indent = static_cast<int>(std::min(line->text.find_first_not_of(' '), line->text.size()));
    offset_ = end + 1;
    return true;
  }
  // Where the last line read ends (after its '\n'), and the number of the line there.
  size_t offset() const { return std::min(offset_, text_.size()); }
  int line_at_offset() const { return offset_ > text_.size() ? number_ : number_ + 1; }

 private:
  std::string_view text_;
  size_t offset_ = 0;
  int number_ = 0;
};

// `tasks:` at the start of a line, with nothing after it but spaces and a comment.
bool is_tasks_line(std::string_view line) {
  if (!line.starts_with("tasks:")) return false;
  std::string_view rest = line.substr(6);
  if (rest.empty()) return true;
  if (rest[0] != ' ') return false;  // `tasks:x` is a plain scalar, not a key
  size_t content = rest.find_first_not_of(' ');
  return content == std::string_view::npos || rest[content] == '#';
}

// True when the line holds nothing that could reach into another line or item: no quotes,
// anchors, aliases, tags, tabs or other control characters (which yaml-cpp reads in its own
// way), and every flow collection opened on it is closed on it. Counts
// brackets the simple way, which can only refuse lines that are in fact fine.
bool is_self_contained(const Line& line) {
  if (line.indent > kMaxIndent) return false;
  std::string_view rest = line.rest();
  int depth = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    if (c == '#') {
      if (i == 0 || rest[i - 1] == ' ') break;  // a comment runs to the end
      return false;  // yaml-cpp also starts a comment where a token may start, as in `{#`
    }
    switch (c) {
      case '"':
      case '\'':
      case '&':
      case '*':
        return false;
      case '!':  // a tag where it starts a node: `!x:` is a tag, not a key
        if (i == 0 || std::string_view(" [{,").find(rest[i - 1]) != std::string_view::npos) {
          return false;
        }
        break;
      case '[':
      case '{':
        if (++depth > kMaxFlowDepth) return false;
        break;
      case ']':
      case '}':
        if (--depth < 0) return false;
        break;
      default:
        break;
    }
  }
  return depth == 0;
}

// Whether the line holds a `key:` outside any flow collection (before any comment).
bool maps_a_key(const Line& line) {
  std::string_view rest = line.rest();
  int depth = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '#' && (i == 0 || rest[i - 1] == ' ')) break;
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ':' && depth == 0 && (i + 1 == rest.size() || rest[i + 1] == ' ')) return true;
  }
  return false;
}

// yaml-cpp reads plain text where a key may stand (no deeper than the keys above it) as a key
// without a value when the text ends there, but as an error when more follows, as it does in
// the whole document: no part may end in such a line. Deeper lines continue a value.
class DanglingKeyCheck {
 public:
  void see(const Line& line) {
    bool opens_key = line.entry() || maps_a_key(line);
    dangling_ = !opens_key && line.indent <= key_column_;
    if (!opens_key) return;
    key_column_ = line.indent;
    if (line.entry()) {
      std::string_view after_dash = line.rest().substr(1);
      key_column_ +=
          1 + static_cast<int>(std::min(after_dash.find_first_not_of(' '), after_dash.size()));
    }
  }
  // The last line seen may end a part.
  bool may_end_here() const { return !dangling_; }

 private:
  int key_column_ = 0;
  bool dangling_ = false;
};

struct Item {
  size_t begin;
  int line;
};

// The list's items, and where it ends. Nothing when some line of it does not qualify.
std::optional<std::vector<Item>> scan_items(LineReader* lines, TaskListSplit* split, size_t* end) {
  Line line;
  // Only blank lines and comments may stand between `tasks:` and the first item.
  bool found = false;
  while (lines->next(&line)) {
    if (line.blank() || line.comment()) continue;
    if (!line.entry()) return std::nullopt;
    found = true;
    break;
  }
  if (!found) return std::nullopt;
  split->indent = line.indent;
  split->first_item_line = line.number;
  std::vector<Item> items;
  DanglingKeyCheck dangling;
  do {
    if (line.blank() || line.comment()) continue;
    if (line.indent < split->indent || (line.indent == split->indent && !line.entry())) {
      if (line.rest()[0] == '\t' || !dangling.may_end_here()) return std::nullopt;
      *end = line.begin;
      split->end_line = line.number;
      split->end_column = line.indent;
      return items;
    }
    if (!is_self_contained(line)) return std::nullopt;
    if (line.indent == split->indent) {
      if (!items.empty() && !dangling.may_end_here()) return std::nullopt;
      items.push_back({line.begin, line.number});
    }
    dangling.see(line);
  } while (lines->next(&line));
  if (!dangling.may_end_here()) return std::nullopt;
  *end = lines->offset();
  split->end_line = lines->line_at_offset();
  split->end_column = 0;
  return items;
}

}  // namespace

std::optional<TaskListSplit> find_task_list_split(std::string_view text, size_t max_chunks) {
  // Directives (%TAG) change how every part reads; carriage returns are left to yaml-cpp.
  if (max_chunks == 0 || text.starts_with('%') || text.find("\n%") != std::string_view::npos ||
      text.find('\r') != std::string_view::npos) {
    return std::nullopt;
  }
  LineReader lines(text);
  Line line;
  while (lines.next(&line) && !is_tasks_line(line.text)) {
  }
  if (!is_tasks_line(line.text)) return std::nullopt;
  TaskListSplit split;
  size_t end = 0;
  std::optional<std::vector<Item>> items = scan_items(&lines, &split, &end);
  if (!items || items->size() < 2) return std::nullopt;
  // A second `tasks:` line (after the list) would make the first lookup ambiguous.
  for (LineReader rest(text.substr(end)); rest.next(&line);) {
    if (is_tasks_line(line.text)) return std::nullopt;
  }
  // Cut before the items nearest to equal shares of the list's bytes.
  size_t parts = std::min(max_chunks, items->size() - 1) + 1;
  size_t list_begin = items->front().begin;
  size_t next_item = 1;
  for (size_t part = 1; part < parts; ++part) {
    size_t target = list_begin + (end - list_begin) * part / parts;
    while (next_item < items->size() - 1 && (*items)[next_item].begin < target) ++next_item;
    if (!split.chunks.empty() && split.chunks.back().begin >= (*items)[next_item].begin) continue;
    split.chunks.push_back({(*items)[next_item].begin, 0, (*items)[next_item].line, 0});
  }
  // Close each chunk at the next one's start, counting the items in between.
  size_t item = 0;
  while ((*items)[item].begin < split.chunks.front().begin) ++item;
  split.num_head_items = item;
  for (size_t c = 0; c < split.chunks.size(); ++c) {
    TaskListSplit::Chunk& chunk = split.chunks[c];
    chunk.end = c + 1 < split.chunks.size() ? split.chunks[c + 1].begin : end;
    for (; item < items->size() && (*items)[item].begin < chunk.end; ++item) ++chunk.num_items;
  }
  return split;
}

}  // namespace flowweaver
