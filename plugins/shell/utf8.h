// Making arbitrary bytes (what a command prints) safe to put in JSON, which must be UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace flowweaver {

// `bytes` with each ill-formed sequence replaced by U+FFFD, one per maximal ill-formed subpart
// as the Unicode standard recommends. Well-formed UTF-8 comes back unchanged.
std::string to_valid_utf8(std::string_view bytes);

// The largest n <= max_bytes such that text.substr(text.size() - n) does not start in the
// middle of a UTF-8 character.
size_t utf8_suffix_length(std::string_view text, size_t max_bytes);

}  // namespace flowweaver
