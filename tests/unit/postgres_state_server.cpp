#include "unit/postgres_state_server.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cctype>
#include <memory>

#include "integration/postgres_server.h"

namespace flowweaver::testing {
namespace {

class PostgresStateEnvironment : public ::testing::Environment {
 public:
  static PostgresServer* server(std::string& error) {
    if (!server_ && error_.empty()) {
      try {
        server_ = std::make_unique<PostgresServer>(POSTGRES_BIN_DIR);
      } catch (const std::exception& e) {
        error_ = e.what();
      }
    }
    error = error_;
    return server_.get();
  }
  void TearDown() override { server_.reset(); }

 private:
  static inline std::unique_ptr<PostgresServer> server_;
  static inline std::string error_;
};
[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresStateEnvironment);

// postgresql://flowweaver@127.0.0.1:PORT/postgres with the database replaced.
std::string with_database(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

}  // namespace

std::string postgres_admin_url() {
  std::string error;
  PostgresServer* server = PostgresStateEnvironment::server(error);
  if (server == nullptr) ADD_FAILURE() << "no PostgreSQL server for the test: " << error;
  return server ? server->url() : "postgresql://nowhere.invalid/x";
}

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
