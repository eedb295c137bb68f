// The service's HTTP endpoints: /livez, /readyz, /health, /metrics and the JSON API under
// /api (documented in README "Operating"), served by HttpServer (http/http_server.h, where the
// limits and timeouts are). Nothing a client sends can take the service down: every handler
// answers malformed input with a 4xx JSON error. With a token configured, every /api request
// needs it, reads included; the probes stay open.
#pragma once

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace flowweaver {

class Service;

class HttpApi {
 public:
  // Requests answered with a 500 are logged to `log`.
  HttpApi(Service& service, std::shared_ptr<spdlog::logger> log);
  ~HttpApi();  // stops serving

  // Binds `host:port` (port 0 picks a free one) and returns the port. Throws Error::IO when the
  // address cannot be bound.
  int bind(const std::string& host, int port);
  void start();  // serves on threads of its own
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowweaver
