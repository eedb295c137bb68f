// A throwaway PostgreSQL server for tests: initdb into a scratch directory, then `postgres`
// on 127.0.0.1 and a free port, stopped and removed again by the destructor. PostgreSQL
// refuses to run as root, so under root (CI) both run as the unprivileged user `nobody`.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace flowweaver::testing {

class PostgresServer {
 public:
  // Throws std::runtime_error saying what failed, with the server's own log.
  explicit PostgresServer(const std::filesystem::path& bin_dir);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // postgresql://flowweaver@127.0.0.1:PORT/postgres: a superuser, trusted without a password.
  std::string url() const;
  int port() const { return port_; }

 private:
  void initdb();
  bool start_on_free_port();
  void stop_server() noexcept;
  void stop() noexcept;  // and remove the directory

  std::filesystem::path bin_dir_, dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// The URL of one server shared by every test of the binary (shared_postgres_server.cpp, a gtest
// environment): started by the first test that asks, stopped after the last. When it cannot
// start, the asking test fails with the reason and gets a URL no server answers.
std::string shared_postgres_url();

}  // namespace flowweaver::testing
