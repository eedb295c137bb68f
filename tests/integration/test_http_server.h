// tests/integration/http_test_server.py, a real HTTP(S) server on 127.0.0.1 and an ephemeral
// port, started by python3 for the test that owns this object and killed when it goes away.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace flowweaver::testing {

class TestHttpServer {
 public:
  // `tls`: serve HTTPS with this certificate chain and key (PEM files).
  struct Tls {
    std::filesystem::path certificate, key;
  };
  // Throws std::runtime_error, saying what is missing, when the server cannot start.
  explicit TestHttpServer(const Tls* tls = nullptr);
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (https:// with TLS).
  std::string url(const std::string& path) const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool tls_ = false;
};

// A CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`:
// dir/ca.pem, dir/server.pem, dir/server.key. Throws std::runtime_error when openssl fails.
TestHttpServer::Tls make_test_certificates(const std::filesystem::path& dir);

}  // namespace flowweaver::testing
