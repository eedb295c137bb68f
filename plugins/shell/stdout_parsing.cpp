#include "stdout_parsing.h"

#include <string>

#include "utf8.h"

namespace flowweaver {
namespace {

// How much of a stdout that is not JSON the error quotes.
constexpr size_t kMaxQuotedBytes = 200;

std::string without_trailing_newline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

Json lines_of(std::string_view text) {
  Json lines = Json::array();
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(std::string(line));
    begin = end + 1;
  }
  return lines;
}

// The first bytes of `text`, cut on a character boundary, for an error message.
std::string start_of(std::string_view text) {
  std::string valid = to_valid_utf8(text.substr(0, kMaxQuotedBytes + 4));
  if (valid.size() <= kMaxQuotedBytes) return valid;
  size_t cut = kMaxQuotedBytes;
  while (cut > 0 && (static_cast<unsigned char>(valid[cut]) & 0xC0) == 0x80) --cut;
  return valid.substr(0, cut) + "...";
}

Json json_of(std::string_view text, size_t num_dropped_bytes) {
  if (num_dropped_bytes > 0) {
    throw PermanentError("parse: json: stdout was truncated (the first " +
                         std::to_string(text.size()) + " bytes kept, " +
                         std::to_string(num_dropped_bytes) +
                         " dropped), so it cannot be parsed: raise max_output");
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    throw PermanentError("parse: json: stdout is not valid JSON (" + std::string(e.what()) +
                         "); it starts with: " + Json(start_of(text)).dump());
  }
}

}  // namespace

StdoutParse stdout_parse_of(const Json& value) {
  if (value == "none") return StdoutParse::kNone;
  if (value == "text") return StdoutParse::kText;
  if (value == "lines") return StdoutParse::kLines;
  if (value == "json") return StdoutParse::kJson;
  throw PermanentError("parameter 'parse' must be one of none, text, lines, json, but is " +
                       value.dump());
}

const char* stdout_parse_field(StdoutParse mode) {
  switch (mode) {
    case StdoutParse::kNone:
      return nullptr;
    case StdoutParse::kText:
      return "text";
    case StdoutParse::kLines:
      return "lines";
    case StdoutParse::kJson:
      return "json";
  }
  return nullptr;
}

Json parse_stdout(StdoutParse mode, std::string_view stdout_bytes, size_t num_dropped_bytes) {
  switch (mode) {
    case StdoutParse::kNone:
      return nullptr;
    case StdoutParse::kText:
      return without_trailing_newline(to_valid_utf8(stdout_bytes));
    case StdoutParse::kLines:
      return lines_of(to_valid_utf8(stdout_bytes));
    case StdoutParse::kJson:
      return json_of(stdout_bytes, num_dropped_bytes);
  }
  return nullptr;
}

}  // namespace flowweaver
