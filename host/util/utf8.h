// UTF-8 validation: manifests must be UTF-8 because their values travel as JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flowweaver {

// The offset of the first byte that does not start or continue a well-formed UTF-8 sequence
// (no overlong forms, no surrogates, nothing above U+10FFFF), or nothing if all is valid.
std::optional<size_t> find_invalid_utf8(std::string_view text);

// `text` with each byte that is not part of well-formed UTF-8 written as `\xE9`: for messages
// that quote untrusted bytes (a parser's "last read") and must themselves be valid UTF-8 to be
// stored and shown as JSON.
std::string escape_invalid_utf8(std::string_view text);

}  // namespace flowweaver
