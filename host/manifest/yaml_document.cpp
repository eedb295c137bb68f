#include "manifest/yaml_document.h"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>

#include "manifest/view_streambuf.h"
#include "util/utf8.h"

namespace flowweaver {
namespace {

void report_invalid_utf8(std::string_view text, size_t bad, DiagnosticList* diagnostics) {
  size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
  line_start = line_start == std::string_view::npos || bad == 0 ? 0 : line_start + 1;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[bad]));
  diagnostics->add({line, static_cast<int>(bad - line_start) + 1},
                   std::string("the file is not valid UTF-8 (byte ") + hex + "); save it as UTF-8");
}

// Checks the encoding, then runs `parse`, turning yaml-cpp's exceptions into diagnostics.
template <typename Parse>
auto parse_reporting_errors(std::string_view text, DiagnosticList* diagnostics, Parse parse)
    -> std::optional<decltype(parse(text))> {
  if (std::optional<size_t> bad = find_invalid_utf8(text)) {
    report_invalid_utf8(text, *bad, diagnostics);
    return std::nullopt;
  }
  try {
    return parse(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this is a bare "bad file".
    diagnostics->add({e.mark.line + 1, e.mark.column + 1},
                     "invalid YAML: nested " + std::to_string(e.depth()) +
                         " levels deep, beyond what the reader accepts; flatten the value");
  } catch (const YAML::ParserException& e) {
    diagnostics->add({e.mark.line + 1, e.mark.column + 1}, "invalid YAML: " + e.msg);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_text_file(const std::filesystem::path& path, std::string_view noun,
                                          DiagnosticList* diagnostics) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diagnostics->add({}, "is a directory, not a " + std::string(noun) + " file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics->add(
        {}, "cannot read the " + std::string(noun) + ": " + std::string(std::strerror(errno)));
    return std::nullopt;
  }
  // One read of the whole file into its final string; the loop picks up anything appended
  // since its size was taken (or everything, for a pipe, whose size is unknown).
  std::string text;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > 0) {
    text.resize(size);
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<size_t>(in.gcount()));
  }
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
  }
  return text;
}

std::optional<YAML::Node> load_yaml_document(std::string_view text, DiagnosticList* diagnostics) {
  return parse_reporting_errors(text, diagnostics, [](std::string_view valid) {
    ViewStreamBuf buffer(valid);
    std::istream in(&buffer);
    return YAML::Load(in);
  });
}

std::optional<YamlTree> load_yaml_tree(std::string_view text, DiagnosticList* diagnostics) {
  return parse_reporting_errors(text, diagnostics, YamlTree::parse);
}

}  // namespace flowweaver
