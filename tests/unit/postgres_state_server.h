// The PostgreSQL server of a test binary that runs state-store tests against the PostgreSQL
// backend: one server for the whole binary (tests/integration/postgres_server.h), started by the
// first test that asks and stopped when the binary ends; a fresh database for each state.
#pragma once

#include <string>
#include <vector>

namespace flowweaver::testing {

// The server's superuser URL (postgresql://flowweaver@127.0.0.1:PORT/postgres). Fails the
// test when no server could be started, saying why.
std::string postgres_admin_url();

// The URL of a new, empty database on the server, named after `name` (made unique).
std::string new_postgres_database(const std::string& name);

// The URL of database `database` on the server as role `user` with `password` in the URL.
std::string postgres_url_as(const std::string& user, const std::string& password,
                            const std::string& database);

// From the first call on, the server asks role `pwuser` (a superuser) for its password,
// `right-one` (SCRAM); every other role it still trusts.
void require_password_for_pwuser();

// The first column of each row of `sql` run on the database at `url`; throws Error::State as
// PgConnection does.
std::vector<std::string> postgres_column(const std::string& url, const std::string& sql);

// Runs one SQL statement as the superuser (on database `postgres`); fails the test on error.
void postgres_admin_exec(const std::string& sql);

}  // namespace flowweaver::testing
