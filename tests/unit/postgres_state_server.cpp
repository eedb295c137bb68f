#include "unit/postgres_state_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "integration/postgres_server.h"
#include "state/postgres_connection.h"

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

std::vector<std::string> postgres_column(const std::string& url, const std::string& sql) {
  PgConnection db(url);
  PgResult r = db.exec("testing", sql);
  std::vector<std::string> values;
  for (int row = 0; row < r.rows(); ++row) values.push_back(r.text(row, 0));
  return values;
}

void require_password_for_pwuser() {
  static bool done = false;
  if (done) return;
  done = true;
  postgres_admin_exec("CREATE ROLE pwuser LOGIN SUPERUSER PASSWORD 'right-one'");
  std::string hba_file;
  {
    PGconn* conn = PQconnectdb(postgres_admin_url().c_str());
    PGresult* result = PQexec(conn, "SHOW hba_file");
    if (PQresultStatus(result) == PGRES_TUPLES_OK) hba_file = PQgetvalue(result, 0, 0);
    PQclear(result);
    PQfinish(conn);
  }
  std::string rules;
  {
    std::ifstream in(hba_file);
    rules.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(hba_file) << "host all pwuser 127.0.0.1/32 scram-sha-256\n" << rules;
  postgres_admin_exec("SELECT pg_reload_conf()");
  // The server rereads the file on its signal: wait until it asks.
  std::string wrong = postgres_url_as("pwuser", "wrong", "postgres");
  for (int i = 0; i < 500; ++i) {
    PGconn* conn = PQconnectdb(wrong.c_str());
    bool refused = PQstatus(conn) != CONNECTION_OK;
    PQfinish(conn);
    if (refused) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "the server did not start asking pwuser for a password";
}

}  // namespace flowweaver::testing
