#include "util/utf8.h"

#include <cstdint>
#include <cstring>

namespace flowweaver {
namespace {

// Length of the sequence starting with `lead`, or 0 if it cannot start one.
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// The allowed range of the byte after `lead` (narrower than 80..BF for a few leads).
bool second_byte_ok(unsigned char lead, unsigned char next) {
  if (lead == 0xE0) return next >= 0xA0 && next <= 0xBF;  // no overlong forms
  if (lead == 0xED) return next >= 0x80 && next <= 0x9F;  // no surrogates
  if (lead == 0xF0) return next >= 0x90 && next <= 0xBF;  // no overlong forms
  if (lead == 0xF4) return next >= 0x80 && next <= 0x8F;  // nothing above U+10FFFF
  return next >= 0x80 && next <= 0xBF;
}

constexpr size_t kWord = sizeof(uint64_t);

// True when the eight bytes at `bytes` are all ASCII (no high bit set).
bool is_ascii_word(const char* bytes) {
  uint64_t word;
  std::memcpy(&word, bytes, kWord);
  return (word & 0x8080808080808080ULL) == 0;
}

}  // namespace

std::optional<size_t> find_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    // Manifests are mostly ASCII: skip it eight bytes at a time.
    while (i + kWord <= text.size() && is_ascii_word(text.data() + i)) i += kWord;
    if (i == text.size()) break;
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = sequence_length(lead);
    if (length == 0 || i + length > text.size()) return i;
    if (length > 1 && !second_byte_ok(lead, static_cast<unsigned char>(text[i + 1]))) return i;
    for (size_t k = 2; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xBF) return i;
    }
    i += length;
  }
  return std::nullopt;
}

std::string escape_invalid_utf8(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string escaped;
  while (std::optional<size_t> bad = find_invalid_utf8(text)) {
    auto byte = static_cast<unsigned char>(text[*bad]);
    escaped.append(text.substr(0, *bad));
    escaped += "\\x";
    escaped += kHex[byte >> 4];
    escaped += kHex[byte & 0xf];
    text.remove_prefix(*bad + 1);
  }
  escaped.append(text);
  return escaped;
}

}  // namespace flowweaver
