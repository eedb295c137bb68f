// A real `flowweaver serve --config FILE` for tests that run several of them (hosts sharing a
// database state): started in a directory, found on the port it chose, talked to over HTTP.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "http_client.h"
#include "integration/flowweaver_process.h"

namespace flowweaver::testing {

class ServeProcess {
 public:
  // Starts it and waits (up to 20 s) for its "serving … on http://127.0.0.1:PORT" line; throws
  // std::runtime_error with its stderr when it exits or never says so. The config must listen
  // on 127.0.0.1:0.
  ServeProcess(const std::filesystem::path& config, const std::filesystem::path& cwd,
               const std::map<std::string, std::string>& env = {});

  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  void signal(int signal) { process_.signal(signal); }
  std::string err() const { return process_.stderr_so_far(); }

  HttpReply get(const std::string& path) { return client_->get(path); }
  HttpReply post(const std::string& path, const std::string& json_body = "{}");
  // The body of a GET as JSON (null when it is not JSON).
  nlohmann::json get_json(const std::string& path);

  // SIGTERM, then up to `timeout_ms` for the exit (SIGKILL and a test failure after that).
  ProcessResult stop(int timeout_ms = 15000);
  // SIGKILL, and the exit reaped.
  void kill_nine();

 private:
  FlowWeaverProcess process_;
  int port_ = 0;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace flowweaver::testing
