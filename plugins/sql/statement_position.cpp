#include "statement_position.h"

#include <algorithm>

namespace flowweaver {
namespace {

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string position_at_byte(std::string_view sql, size_t byte_offset) {
  byte_offset = std::min(byte_offset, sql.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < byte_offset; ++i) {
    if (sql[i] == '\n') {
      ++line;
      column = 1;
    } else if (!is_continuation_byte(sql[i])) {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string position_at_character(std::string_view sql, size_t character) {
  size_t byte_offset = 0;
  for (size_t seen = 1; byte_offset < sql.size() && seen < character; ++seen) {
    ++byte_offset;
    while (byte_offset < sql.size() && is_continuation_byte(sql[byte_offset])) ++byte_offset;
  }
  return position_at_byte(sql, byte_offset);
}

}  // namespace flowweaver
