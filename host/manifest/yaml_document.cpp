#include "manifest/yaml_document.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "manifest/libyaml_reader.h"
#include "manifest/yaml_syntax_error.h"
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

std::optional<YamlTree> load_yaml_tree(std::string_view text, std::string_view noun,
                                       DiagnosticList* diagnostics) {
  if (std::optional<size_t> bad = find_invalid_utf8(text)) {
    report_invalid_utf8(text, *bad, diagnostics);
    return std::nullopt;
  }
  try {
    return read_yaml_tree(text, noun);
  } catch (const YamlSyntaxError& e) {
    diagnostics->add(e.location(), e.what());
  }
  return std::nullopt;
}

}  // namespace flowweaver
