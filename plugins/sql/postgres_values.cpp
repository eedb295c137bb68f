#include "postgres_values.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>

#include "row_values.h"
#include "text_encoding.h"

namespace flowweaver {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat; they are fixed for built-in types.
constexpr unsigned int kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26,
                       kJson = 114, kFloat4 = 700, kFloat8 = 701, kJsonb = 3802;

Json integer_value(std::string_view text) {
  int64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) return std::string(text);
  return number;
}

Json float_text_value(std::string_view text) {
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") return std::string(text);
  return float_value(std::strtod(std::string(text).c_str(), nullptr));
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea's text form is "\x" and two hex digits a byte (bytea_output = hex, the default).
Json bytea_value(std::string_view text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return valid_utf8(text);
  std::string bytes;
  for (size_t i = 2; i < text.size(); i += 2) {
    int high = hex_digit(text[i]), low = hex_digit(text[i + 1]);
    if (high < 0 || low < 0) return valid_utf8(text);
    bytes += static_cast<char>(high * 16 + low);
  }
  return base64_encode(bytes);
}

}  // namespace

Json postgres_value(unsigned int type_oid, std::string_view text) {
  switch (type_oid) {
    case kBool:
      return text == "t";
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid:
      return integer_value(text);
    case kFloat4:
    case kFloat8:
      return float_text_value(text);
    case kJson:
    case kJsonb:
      return Json::parse(text, nullptr, false);  // the server only sends valid JSON
    case kBytea:
      return bytea_value(text);
    default:
      return valid_utf8(text);
  }
}

std::string postgres_param_text(const Json& value, size_t index) {
  if (!value.is_string()) return value.dump();
  std::string text = value.get<std::string>();
  if (text.find('\0') != std::string::npos) {
    throw PermanentError("params[" + std::to_string(index) +
                         "] holds a NUL character, which PostgreSQL text cannot");
  }
  return text;
}

}  // namespace flowweaver
