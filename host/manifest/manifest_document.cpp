#include "manifest/manifest_document.h"

#include <algorithm>
#include <exception>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "manifest/plain_yaml.h"
#include "manifest/task_list_split.h"
#include "manifest/yaml_document.h"
#include "util/utf8.h"

namespace flowweaver {
namespace {

// Below this much text per part, starting threads costs more than it saves.
constexpr size_t kMinBytesPerPart = 128 * 1024;
constexpr size_t kMaxParts = 8;

std::optional<YamlTree> parse_or_nothing(std::string_view text) {
  if (std::optional<YamlTree> tree = parse_plain_yaml(text)) return tree;
  try {
    return YamlTree::parse(text);
  } catch (...) {
    return std::nullopt;  // the caller parses in one piece and reports the problem from there
  }
}

bool located_at(const YamlNode& node, int line, int column) {
  return node.location().line == line && node.location().column == column;
}

// Checks that each part read as the cut promised: the rest of the document a map whose `tasks`
// is the list with its head items, each chunk a list of its items, all where they were cut.
bool parts_read_as_cut(const YamlTree& rest, const std::vector<std::optional<YamlTree>>& chunks,
                       const TaskListSplit& split) {
  const int column = split.indent + 1;
  YamlNode root = rest.root();
  YamlNode list = root.is_map() ? root.find("tasks") : YamlNode();
  if (!list || !list.is_sequence() || list.size() != split.num_head_items ||
      !located_at(list, split.first_item_line, column)) {
    return false;
  }
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (!chunks[i]) return false;
    YamlNode items = chunks[i]->root();
    if (!items.is_sequence() || items.size() != split.chunks[i].num_items ||
        !located_at(items, 1, column)) {
      return false;
    }
  }
  return true;
}

// Puts the chunks' items back into the list in `rest`, with the lines they have in the whole
// text. An empty value at the end of a part took its location from whatever came next in that
// part's text (the end of it); in the whole text that is the next item's `-`, or the first
// thing after the list.
void join_parts(YamlTree* rest, std::vector<std::optional<YamlTree>>* chunks,
                const TaskListSplit& split, size_t text_size) {
  const int column = split.indent + 1;
  const TaskListSplit::Chunk& first = split.chunks.front();
  YamlNode list = rest->root().find("tasks");
  rest->move_lines(first.first_line, split.end_line - first.first_line);
  rest->clamp_locations(list, first.first_line, {first.first_line, column});
  for (size_t i = 0; i < chunks->size(); ++i) {
    YamlTree& part = *(*chunks)[i];
    part.move_lines(0, split.chunks[i].first_line - 1);
    if (i + 1 < chunks->size()) {
      int next_line = split.chunks[i + 1].first_line;
      part.clamp_locations(part.root(), next_line, {next_line, column});
    } else if (split.chunks[i].end < text_size) {
      part.clamp_locations(part.root(), split.end_line, {split.end_line, split.end_column + 1});
    }
    rest->append_items(list, part);
    (*chunks)[i].reset();
  }
}

}  // namespace

std::optional<YamlTree> parse_manifest_in_parts(std::string_view text, size_t max_chunks) {
  std::optional<TaskListSplit> split = find_task_list_split(text, max_chunks);
  if (!split) return std::nullopt;
  std::vector<std::optional<YamlTree>> chunks(split->chunks.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const TaskListSplit::Chunk& chunk = split->chunks[i];
    std::string_view chunk_text = text.substr(chunk.begin, chunk.end - chunk.begin);
    try {
      threads.emplace_back([&chunks, i, chunk_text] { chunks[i] = parse_or_nothing(chunk_text); });
    } catch (const std::system_error&) {
      chunks[i] = parse_or_nothing(chunk_text);  // no thread to be had: read it here
    }
  }
  std::string rest_text(text.substr(0, split->chunks.front().begin));
  rest_text.append(text.substr(split->chunks.back().end));
  std::optional<YamlTree> rest = parse_or_nothing(rest_text);
  for (std::thread& thread : threads) thread.join();
  if (!rest || !parts_read_as_cut(*rest, chunks, *split)) return std::nullopt;
  join_parts(&*rest, &chunks, *split, text.size());
  return rest;
}

std::optional<YamlTree> load_manifest_document(std::string_view text, DiagnosticList* diagnostics) {
  // Most manifests are plain enough for the fast reader; the rest, and every error, go on to
  // yaml-cpp. It only takes ASCII, so no UTF-8 problem goes unreported.
  if (std::optional<YamlTree> tree = parse_plain_yaml(text)) return tree;
  size_t parts = std::min<size_t>(
      {std::thread::hardware_concurrency(), kMaxParts, text.size() / kMinBytesPerPart});
  if (parts >= 2 && !find_invalid_utf8(text)) {
    if (std::optional<YamlTree> tree = parse_manifest_in_parts(text, parts - 1)) return tree;
  }
  return load_yaml_tree(text, diagnostics);
}

}  // namespace flowweaver
