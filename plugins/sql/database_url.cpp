#include "database_url.h"

#include <charconv>
#include <flowweaver/sdk.hpp>
#include <string_view>

namespace flowweaver {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";
constexpr const char* kForms =
    "sqlite:///abs/path.db, sqlite://relative/path.db or postgresql://user@host/db";

// "user:secret@host" -> "user:***@host"; the rest of the URI unchanged.
std::string without_password(const std::string& uri) {
  size_t authority = uri.find("://") + 3;
  size_t end = uri.find_first_of("/?", authority);
  if (end == std::string::npos) end = uri.size();
  size_t at = uri.rfind('@', end);
  if (at == std::string::npos || at < authority) return uri;
  size_t colon = uri.find(':', authority);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon + 1) + "***" + uri.substr(at);
}

SqliteMode sqlite_mode_of(std::string_view value) {
  if (value == "ro") return SqliteMode::kReadOnly;
  if (value == "rw") return SqliteMode::kReadWrite;
  if (value == "rwc") return SqliteMode::kReadWriteCreate;
  throw PermanentError("database URL: sqlite option mode must be ro, rw or rwc, not '" +
                       std::string(value) + "'");
}

int busy_timeout_of(std::string_view value) {
  int ms = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), ms);
  if (error != std::errc() || end != value.data() + value.size() || ms < 0) {
    throw PermanentError(
        "database URL: sqlite option busy_timeout must be milliseconds (0 or "
        "more), not '" +
        std::string(value) + "'");
  }
  return ms;
}

// "mode=rwc&busy_timeout=100" into `url`.
void apply_sqlite_options(std::string_view query, SqliteUrl& url) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view option = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    size_t equals = option.find('=');
    std::string_view name = option.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? "" : option.substr(equals + 1);
    if (name == "mode") {
      url.mode = sqlite_mode_of(value);
    } else if (name == "busy_timeout") {
      url.busy_timeout_ms = busy_timeout_of(value);
    } else {
      throw PermanentError("database URL: unknown sqlite option '" + std::string(option) +
                           "' (the options are mode=ro|rw|rwc and busy_timeout=MS)");
    }
  }
}

SqliteUrl parse_sqlite(std::string_view rest) {
  SqliteUrl url;
  size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    apply_sqlite_options(rest.substr(question + 1), url);
    rest = rest.substr(0, question);
  }
  if (rest.empty() || rest == "/") {
    throw PermanentError("database URL 'sqlite://' names no file: use " + std::string(kForms));
  }
  url.path = std::string(rest);
  return url;
}

}  // namespace

DatabaseUrl parse_database_url(const std::string& url) {
  if (url.starts_with(kSqliteScheme))
    return parse_sqlite(std::string_view(url).substr(kSqliteScheme.size()));
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return PostgresUrl{url, without_password(url)};
  }
  size_t scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  throw PermanentError(
      "database URL " +
      (scheme.empty() ? std::string("has no scheme") : "has scheme '" + scheme + "'") + ": use " +
      kForms);
}

}  // namespace flowweaver
