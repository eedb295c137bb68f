// The `database` parameter: which database a sql.* task talks to.
//
//   sqlite:///abs/path.db       an absolute path (the URL's host part is empty)
//   sqlite://rel/path.db        a path relative to the host's working directory
//   sqlite://:memory:           a private in-memory database, gone when the task ends
//   ...?mode=ro|rw|rwc          read-only, read-write (the default: the file must exist) or
//                               read-write-create
//   ...?busy_timeout=MS         how long a statement waits for another writer's lock before
//                               the attempt fails (retried); default 5000. Options join with &.
//   postgresql://user:password@host:port/dbname?option=value   (or postgres://): handed to
//                               libpq as it is, so every libpq URI option works
#pragma once

#include <string>
#include <variant>

namespace flowweaver {

enum class SqliteMode { kReadOnly, kReadWrite, kReadWriteCreate };

struct SqliteUrl {
  std::string path;  // ":memory:" for an in-memory database
  SqliteMode mode = SqliteMode::kReadWrite;
  int busy_timeout_ms = 5000;
};

struct PostgresUrl {
  std::string uri;      // as given, password included: for libpq only
  std::string display;  // the password replaced by ***: for messages
};

using DatabaseUrl = std::variant<SqliteUrl, PostgresUrl>;

// Throws PermanentError for a URL of another scheme or a malformed one; the message never
// repeats a password.
DatabaseUrl parse_database_url(const std::string& url);

}  // namespace flowweaver
