#include "utf8.h"

namespace flowweaver {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// What a lead byte promises: the length of its sequence and the range its second byte must be
// in (Unicode Table 3-7; the narrower ranges exclude overlong forms, surrogates and code
// points past U+10FFFF). length 0: the byte cannot start a sequence.
struct LeadByte {
  size_t length;
  unsigned char second_min, second_max;
};

LeadByte classify(unsigned char b) {
  if (b < 0x80) return {1, 0, 0};
  if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
  if (b == 0xE0) return {3, 0xA0, 0xBF};
  if (b == 0xED) return {3, 0x80, 0x9F};
  if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
  if (b == 0xF0) return {4, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
  if (b == 0xF4) return {4, 0x80, 0x8F};
  return {0, 0, 0};
}

// The number of bytes at the start of `text` (not empty) that form one character, with
// *well_formed true; or else the length of the ill-formed prefix to replace (at least 1).
size_t next_character(std::string_view text, bool* well_formed) {
  *well_formed = false;
  LeadByte lead = classify(static_cast<unsigned char>(text[0]));
  if (lead.length == 0) return 1;
  for (size_t i = 1; i < lead.length; ++i) {
    if (i >= text.size()) return i;
    auto b = static_cast<unsigned char>(text[i]);
    unsigned char min = i == 1 ? lead.second_min : 0x80;
    unsigned char max = i == 1 ? lead.second_max : 0xBF;
    if (b < min || b > max) return i;
  }
  *well_formed = true;
  return lead.length;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string to_valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    bool well_formed = false;
    size_t length = next_character(bytes.substr(i), &well_formed);
    if (well_formed) {
      out.append(bytes.substr(i, length));
    } else {
      out.append(kReplacementCharacter);
    }
    i += length;
  }
  return out;
}

size_t utf8_suffix_length(std::string_view text, size_t max_bytes) {
  if (max_bytes >= text.size()) return text.size();
  size_t start = text.size() - max_bytes;
  while (start < text.size() && is_continuation_byte(text[start])) ++start;
  return text.size() - start;
}

}  // namespace flowweaver
