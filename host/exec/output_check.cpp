#include "exec/output_check.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "util/utf8.h"

namespace flowweaver {
namespace {

using nlohmann::json;

// Accepts every value and keeps only the parser's complaint: the check builds no document, so
// a large output costs one pass over its bytes.
class ErrorOnlySax : public nlohmann::json_sax<json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    error_ = e.what();
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace

std::optional<std::string> output_text_problem(std::string_view text) {
  // Checked before parsing so the message names the byte, as the manifest reader's does.
  if (std::optional<size_t> bad = find_invalid_utf8(text)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[*bad]));
    return "is not valid UTF-8 (byte " + std::string(byte) + " at offset " + std::to_string(*bad) +
           ")";
  }
  ErrorOnlySax sax;
  if (json::sax_parse(text, &sax)) return std::nullopt;
  // The parser quotes what it last read, which may end inside a multi-byte sequence.
  return "is not valid JSON: " + escape_invalid_utf8(sax.error());
}

}  // namespace flowweaver
