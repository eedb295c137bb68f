#include "state/state_location.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>

#include "state/postgres_connection.h"
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

bool is_postgres_scheme(const std::string& scheme) {
  return scheme == "postgresql" || scheme == "postgres";
}

}  // namespace

StateLocation parse_state_location(const std::string& path_or_url) {
  std::string scheme = url_scheme(path_or_url);
  if (is_postgres_scheme(scheme)) {
    size_t fragment = path_or_url.find('#');
    StateLocation location;
    location.backend = StateBackendKind::kPostgres;
    location.path = path_or_url.substr(0, fragment);
    if (fragment != std::string::npos) location.lock_name = path_or_url.substr(fragment + 1);
    return location;
  }
  if (!scheme.empty()) {
    throw Error::InvalidArgument(
        "state location " + url_without_password(path_or_url) + ": this flowweaver knows no " +
        scheme +
        ":// backend; give a postgresql://user@host/db URL or a state file path (a name ending "
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

namespace {

// FNV-1a, 64 bits, as 16 hex digits: a short stable name for a URL.
std::string short_hash(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace

std::string state_side_file(const std::string& location, const std::string& suffix) {
  StateLocation where = parse_state_location(location);
  if (where.backend != StateBackendKind::kPostgres) return where.path + suffix;
  fs::path dir = fs::temp_directory_path() / ("flowweaver-" + std::to_string(::getuid()));
  ::mkdir(dir.c_str(), 0700);  // exists already, or the file's own open reports why not
  return (dir / ("postgres-" +
                 short_hash(url_without_password(where.path) + "#" + where.lock_name) + suffix))
      .string();
}

// Never throws: a location of no known form is refused where it is opened, with its message.
std::string workflow_state(const std::string& location, const std::string& workflow) {
  if (!is_postgres_scheme(url_scheme(location)) || location.find('#') != std::string::npos) {
    return location;
  }
  return location + "#" + workflow;
}

std::string sibling_state(const std::string& location, const std::string& other) {
  StateLocation where = parse_state_location(location);
  if (where.backend == StateBackendKind::kPostgres) return where.path + "#" + other;
  fs::path path(where.path);
  std::string extension = path.extension().string();
  return (path.parent_path() / (other + (extension.empty() ? kDirectoryExtension : extension)))
      .string();
}

}  // namespace flowweaver
