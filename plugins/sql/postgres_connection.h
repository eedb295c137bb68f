// SqlConnection over PostgreSQL (libpq), for postgresql:// URLs.
#pragma once

#include <memory>

#include "database_url.h"
#include "sql_connection.h"

namespace flowweaver {

// Connects (waiting at most 10 s unless the URL's connect_timeout says otherwise); a failure
// throws std::runtime_error (retried). `hooks.cancelled` cancels a running statement on the
// server; the server's notices go to `hooks.notice`.
std::unique_ptr<SqlConnection> connect_postgres(const PostgresUrl& url, TaskHooks hooks);

}  // namespace flowweaver
