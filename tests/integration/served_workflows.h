// `flowweaver serve` on a scratch directory for the HTTP API tests: config.yaml and the
// manifests are written, the service is started on a port it chooses and stopped with SIGTERM.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>

#include "flowweaver_process.h"
#include "http_client.h"

namespace flowweaver::testing {

inline bool has_exited_now(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

class ServedWorkflows {
 public:
  // `manifests`: file name (in workflows/) -> text; `extra`: more config.yaml lines.
  ServedWorkflows(const TempDir& dir, const std::map<std::string, std::string>& manifests,
                  const std::string& extra = "")
      : process_(start(dir, manifests, extra)) {
    static const std::regex kServing(R"(serving \d+ workflow\(s\) on http://127\.0\.0\.1:(\d+))");
    std::smatch match;
    std::string err;
    bool serving = wait_until([&] {
      err = process_.stderr_so_far();
      return std::regex_search(err, match, kServing) || has_exited_now(process_.pid());
    });
    if (!serving || match.empty()) throw std::runtime_error("serve did not start:\n" + err);
    port_ = std::stoi(match[1]);
    client_ = std::make_unique<HttpClient>(port_);
  }
  // One workflow, workflows/events.yaml.
  ServedWorkflows(const TempDir& dir, const std::string& manifest, const std::string& extra = "")
      : ServedWorkflows(dir, std::map<std::string, std::string>{{"events.yaml", manifest}}, extra) {
  }

  int port() const { return port_; }
  std::string err() const { return process_.stderr_so_far(); }
  // Every request carries these headers too (e.g. the token).
  void always_send(Headers headers) { default_headers_ = std::move(headers); }

  HttpReply get(const std::string& path, const Headers& headers = {}) {
    return client_->get(path, with_defaults(headers));
  }
  HttpReply post(const std::string& path, const std::string& body = "",
                 const Headers& headers = {}) {
    Headers all = with_defaults(headers);
    if (!body.empty()) all.emplace_back("Content-Type", "application/json");
    return client_->post(path, all, body);
  }
  nlohmann::json get_json(const std::string& path) {
    return nlohmann::json::parse(get(path).body, nullptr, false);
  }
  // SIGTERM; the exit code (SIGKILL after 15 s).
  int stop() {
    process_.signal(SIGTERM);
    if (!wait_until([&] { return has_exited_now(process_.pid()); }, 15000)) {
      process_.signal(SIGKILL);
    }
    return process_.wait().exit_code;
  }

 private:
  static FlowWeaverProcess start(const TempDir& dir,
                                 const std::map<std::string, std::string>& manifests,
                                 const std::string& extra) {
    dir.write("config.yaml",
              "workflows_dir: workflows\nstate_dir: var\nlog_dir: var/log\n"
              "listen: \"127.0.0.1:0\"\n" +
                  extra);
    std::filesystem::create_directories(dir.path() / "workflows");
    for (const auto& [name, text] : manifests) dir.write("workflows/" + name, text);
    return FlowWeaverProcess({"serve", "--config", (dir.path() / "config.yaml").string()},
                             dir.path(), {});
  }
  Headers with_defaults(const Headers& headers) const {
    Headers all = default_headers_;
    all.insert(all.end(), headers.begin(), headers.end());
    return all;
  }

  FlowWeaverProcess process_;
  int port_ = 0;
  std::unique_ptr<HttpClient> client_;
  Headers default_headers_;
};

}  // namespace flowweaver::testing
