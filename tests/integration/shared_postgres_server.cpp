#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "integration/postgres_server.h"

namespace flowweaver::testing {
namespace {

// The server, started by the first test that asks for it and stopped after the last test.
class SharedPostgresEnvironment : public ::testing::Environment {
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
    ::testing::AddGlobalTestEnvironment(new SharedPostgresEnvironment);

}  // namespace

std::string shared_postgres_url() {
  std::string error;
  PostgresServer* server = SharedPostgresEnvironment::server(error);
  if (server == nullptr) ADD_FAILURE() << "no PostgreSQL server for the test: " << error;
  return server ? server->url() : "postgresql://nowhere.invalid/x";
}

}  // namespace flowweaver::testing
