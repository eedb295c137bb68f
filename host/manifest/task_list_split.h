// Where a big manifest's `tasks:` list can be cut so that its parts are parsed at the same
// time (yaml-cpp parses about 8 MB/s, by far the slowest step of loading a manifest).
//
// A cut is proposed only where it cannot change what the document means: the list must be a
// block sequence under a top-level `tasks:` line, and every line of it must be plain enough
// that no value can run from one list item into another (no quotes, anchors, aliases, tabs,
// carriage returns or flow collections left open at the end of a line; modest indentation
// and nesting). Anything else gets no proposal, and the document is parsed in one piece.
// manifest_document.cpp checks each part's result before trusting it.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace flowweaver {

struct TaskListSplit {
  // Consecutive runs of whole list items, each starting at an item's `-` line.
  struct Chunk {
    size_t begin = 0;  // byte offset in the text: the start of a line
    size_t end = 0;    // one past the chunk's last byte (a line start, or the text's end)
    int first_line = 0;
    size_t num_items = 0;
  };

  int indent = 0;             // column (0-based) of the items' `-`
  int first_item_line = 0;    // line of the list's first item
  size_t num_head_items = 0;  // items before chunks.front(): they stay with the rest
  std::vector<Chunk> chunks;
  // Where the list ends (chunks.back().end): its line, and the column of the first thing
  // after it (0-based; meaningful only when the list does not end the text).
  int end_line = 0;
  int end_column = 0;
};

// Cuts the list into at most `max_chunks` chunks besides the head (items before the first
// cut, read with the rest of the document), of roughly equal size. Nothing when the text
// does not qualify or has too few items.
std::optional<TaskListSplit> find_task_list_split(std::string_view text, size_t max_chunks);

}  // namespace flowweaver
