#include "util/byte_size.h"

#include <array>
#include <cctype>
#include <charconv>

namespace flowweaver {
namespace {

struct Unit {
  char letter;  // upper case; '\0' for bytes
  int shift;
};
constexpr std::array<Unit, 5> kUnits = {{{'\0', 0}, {'K', 10}, {'M', 20}, {'G', 30}, {'T', 40}}};

// log2 of the unit named by `text` ("", "b", "KB", "kib", "M"...), or -1.
int unit_shift(std::string_view text) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.empty() || upper == "B") return 0;
  for (const Unit& u : kUnits) {
    if (u.letter == '\0' || upper[0] != u.letter) continue;
    std::string_view rest = std::string_view(upper).substr(1);
    if (rest.empty() || rest == "B" || rest == "IB") return u.shift;
  }
  return -1;
}

}  // namespace

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  std::string_view unit = text.substr(static_cast<size_t>(end - text.data()));
  if (!unit.empty() && unit[0] == ' ') unit.remove_prefix(1);
  if (unit.empty() && end != text.data() + text.size()) return std::nullopt;  // a lone space
  int shift = unit_shift(unit);
  if (shift < 0) return std::nullopt;
  if (shift > 0 && value > (UINT64_MAX >> shift)) return std::nullopt;
  return value << shift;
}

std::string format_byte_size(uint64_t bytes) {
  static constexpr std::array<const char*, 5> kNames = {"B", "KiB", "MiB", "GiB", "TiB"};
  size_t i = 0;
  while (i + 1 < kNames.size() && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++i;
  }
  return std::to_string(bytes) + kNames[i];
}

}  // namespace flowweaver
