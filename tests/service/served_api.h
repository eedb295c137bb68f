// A real Service with its HttpApi on a free loopback port, over a scratch directory of
// workflows, for the API tests: requests go over a real socket (tests/http_client.h).
#pragma once

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "http_client.h"
#include "service/http_api.h"
#include "service/service.h"
#include "util/clock.h"

namespace flowweaver::testing {

class ServedApi {
 public:
  ServedApi() {
    dir_ = std::filesystem::temp_directory_path() /
           ("fw-served-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_ / "workflows");
    config.workflows_dir = dir_ / "workflows";
    config.plugin_dirs = {FLOWWEAVER_PLUGIN_DIR};
    config.state_dir = dir_ / "var";
    config.log_dir = dir_ / "var" / "log";
  }
  ~ServedApi() {
    stop();
    std::filesystem::remove_all(dir_);
  }

  // Writes workflows/<file> whole, by rename, so a reload never reads half of it.
  void write_workflow(const std::string& file, const std::string& text) {
    std::filesystem::path tmp = dir_ / (file + ".tmp");
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, dir_ / "workflows" / file);
  }

  // Starts the service (with `config` as the test left it) and its API; returns the port.
  int start() {
    service = std::make_unique<Service>(config, log_, clock_, notifier_);
    service->start();
    api = std::make_unique<HttpApi>(*service, log_);
    port = api->bind("127.0.0.1", 0);
    api->start();
    return port;
  }
  void stop() {
    if (api) api->stop();
    if (service) service->stop();
    api.reset();
    service.reset();
  }

  const std::filesystem::path& dir() const { return dir_; }

  ServiceConfig config;
  std::unique_ptr<Service> service;
  std::unique_ptr<HttpApi> api;
  int port = 0;

 private:
  std::filesystem::path dir_;
  std::shared_ptr<spdlog::logger> log_ = std::make_shared<spdlog::logger>(
      "served-api", std::make_shared<spdlog::sinks::null_sink_mt>());
  SystemClock clock_;
  SystemdNotifier notifier_;
};

// Polls `condition` for up to 10 s.
inline bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace flowweaver::testing
