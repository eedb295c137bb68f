#include "output_values.h"

#include <string>
#include <vector>

#include "utf8.h"

namespace flowweaver {
namespace {

std::vector<std::string_view> lines_of(std::string_view content) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin < content.size()) {
    size_t end = content.find('\n', begin);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    begin = end + 1;
  }
  return lines;
}

[[noreturn]] void fail(size_t line_number, const std::string& why) {
  throw PermanentError("$FLOWWEAVER_OUTPUT line " + std::to_string(line_number) + ": " + why);
}

std::string quoted(std::string_view text) { return Json(to_valid_utf8(text)).dump(); }

std::string key_of(std::string_view key, size_t line_number, std::string_view line) {
  if (key.empty()) fail(line_number, "empty key in " + quoted(line));
  return to_valid_utf8(key);
}

// Reads the block opened at lines[index] into `values`; returns the index of its closing line.
size_t read_block(const std::vector<std::string_view>& lines, size_t index, size_t opener,
                  Json& values) {
  std::string_view line = lines[index];
  std::string key = key_of(line.substr(0, opener), index + 1, line);
  std::string_view delimiter = line.substr(opener + 2);
  if (delimiter.empty()) fail(index + 1, "empty delimiter in " + quoted(line));
  std::string value;
  for (size_t i = index + 1; i < lines.size(); ++i) {
    if (lines[i] == delimiter) {
      values[key] = to_valid_utf8(value);
      return i;
    }
    value += (i == index + 1 ? "" : "\n") + std::string(lines[i]);
  }
  fail(index + 1, "the block " + quoted(line) + " is never closed by a line " + quoted(delimiter));
}

}  // namespace

Json parse_output_values(std::string_view content) {
  Json values = Json::object();
  std::vector<std::string_view> lines = lines_of(content);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.empty()) continue;
    size_t equals = line.find('=');
    size_t opener = line.find("<<");
    if (opener != std::string_view::npos && opener < equals) {
      i = read_block(lines, i, opener, values);
    } else if (equals != std::string_view::npos) {
      values[key_of(line.substr(0, equals), i + 1, line)] = to_valid_utf8(line.substr(equals + 1));
    } else {
      fail(i + 1, quoted(line) + " is neither key=value nor key<<DELIMITER");
    }
  }
  return values;
}

}  // namespace flowweaver
