// SqlConnection over SQLite (SQLiteCpp), for sqlite:// URLs.
#pragma once

#include <functional>
#include <memory>

#include "database_url.h"
#include "sql_connection.h"

namespace flowweaver {

// Opens the file as the URL's mode says; a missing file (unless mode=rwc) is a PermanentError.
// A statement waits up to the URL's busy_timeout for another writer's lock, then fails the
// attempt (retried); `cancelled` interrupts a running statement.
std::unique_ptr<SqlConnection> connect_sqlite(const SqliteUrl& url,
                                              std::function<bool()> cancelled);

}  // namespace flowweaver
