// The GitHub Actions convention for a command's named outputs: the command appends to the file
// named by $FLOWWEAVER_OUTPUT lines of
//   key=value
// and blocks of
//   key<<DELIMITER
//   any lines
//   DELIMITER
// and they become `values` in the task's output.
#pragma once

#include <flowweaver/sdk.hpp>
#include <string_view>

namespace flowweaver {

// The values written in `content` as an object of strings. A key written twice keeps its last
// value; empty lines are skipped; a '\r' ending a line is dropped; a block's value is its lines
// joined by '\n' (no trailing newline). A line is a block's start when "<<" comes before any
// '='. Throws PermanentError naming the line (counted from 1) when a line is neither form, a
// key or a delimiter is empty, or a block is never closed. Values are made valid UTF-8.
Json parse_output_values(std::string_view content);

}  // namespace flowweaver
