#include "state/state_location.h"

#include <cctype>

#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDirectoryExtension = ".db";
constexpr const char* kJsonExtension = ".json";

// The scheme of `text` when it has the form `scheme://…` (RFC 3986 letters), else empty.
std::string url_scheme(const std::string& text) {
  size_t end = text.find("://");
  if (end == std::string::npos || end == 0 || !std::isalpha(static_cast<unsigned char>(text[0]))) {
    return "";
  }
  for (size_t i = 1; i < end; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return "";
  }
  return text.substr(0, end);
}

}  // namespace

StateLocation parse_state_location(const std::string& path_or_url) {
  std::string scheme = url_scheme(path_or_url);
  if (!scheme.empty()) {
    throw Error::InvalidArgument("state location " + path_or_url + ": this flowweaver knows no " +
                                 scheme +
                                 ":// backend; give a state file path instead (a name ending "
                                 "in .json for a JSON file, any other name for SQLite)");
  }
  StateLocation location;
  location.path = path_or_url;
  if (fs::path(path_or_url).extension() == kJsonExtension) {
    location.backend = StateBackendKind::kJson;
  }
  return location;
}

std::string state_file_in(const fs::path& dir, const std::string& workflow) {
  return (dir / (workflow + kDirectoryExtension)).string();
}

bool is_directory_state_file(const fs::path& file) {
  return file.extension() == kDirectoryExtension;
}

bool has_state_file_extension(const fs::path& file) {
  return file.extension() == kDirectoryExtension || file.extension() == kJsonExtension;
}

std::string sibling_state(const std::string& location, const std::string& other) {
  fs::path path(parse_state_location(location).path);
  std::string extension = path.extension().string();
  return (path.parent_path() / (other + (extension.empty() ? kDirectoryExtension : extension)))
      .string();
}

}  // namespace flowweaver
