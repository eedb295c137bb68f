#include "unit/postgres_state_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cctype>

#include "integration/postgres_server.h"

namespace flowweaver::testing {
namespace {

// postgresql://flowweaver@127.0.0.1:PORT/postgres with the database replaced.
std::string with_database(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

}  // namespace

std::string postgres_admin_url() { return shared_postgres_url(); }

void postgres_admin_exec(const std::string& sql) {
  PGconn* conn = PQconnectdb(postgres_admin_url().c_str());
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
      << sql << ": " << PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
}

std::string new_postgres_database(const std::string& name) {
  static int counter = 0;
  std::string database = "fw_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  for (char c : name) {
    if (database.size() < 60 && std::isalnum(static_cast<unsigned char>(c))) {
      database += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  postgres_admin_exec("CREATE DATABASE " + database);
  return with_database(postgres_admin_url(), database);
}

std::string postgres_url_as(const std::string& user, const std::string& password,
                            const std::string& database) {
  std::string admin = postgres_admin_url();  // postgresql://flowweaver@HOST:PORT/postgres
  std::string host = admin.substr(admin.find('@') + 1);
  host = host.substr(0, host.find('/'));
  return "postgresql://" + user + (password.empty() ? "" : ":" + password) + "@" + host + "/" +
         database;
}

}  // namespace flowweaver::testing
