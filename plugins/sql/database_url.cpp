#include "database_url.h"

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

SqliteMode sqlite_mode_of(std::string_view query) {
  if (query == "mode=ro") return SqliteMode::kReadOnly;
  if (query == "mode=rw") return SqliteMode::kReadWrite;
  if (query == "mode=rwc") return SqliteMode::kReadWriteCreate;
  throw PermanentError("database URL: unknown sqlite option '" + std::string(query) +
                       "' (the one option is mode=ro, mode=rw or mode=rwc)");
}

SqliteUrl parse_sqlite(std::string_view rest) {
  SqliteUrl url;
  size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    url.mode = sqlite_mode_of(rest.substr(question + 1));
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
