// Where in a statement an error is, as people read it: "line 2, column 7".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flowweaver {

// `byte_offset` counts bytes from the start of `sql` (SQLite's error offset).
std::string position_at_byte(std::string_view sql, size_t byte_offset);

// `character` counts characters from 1 (PostgreSQL's error position), not bytes.
std::string position_at_character(std::string_view sql, size_t character);

}  // namespace flowweaver
