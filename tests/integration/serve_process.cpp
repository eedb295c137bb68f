#include "integration/serve_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <regex>
#include <stdexcept>

namespace flowweaver::testing {
namespace {

bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

}  // namespace

ServeProcess::ServeProcess(const std::filesystem::path& config, const std::filesystem::path& cwd,
                           const std::map<std::string, std::string>& env)
    : process_({"serve", "--config", config.string()}, cwd, env) {
  static const std::regex kServing(R"(serving \d+ workflow\(s\) on http://127\.0\.0\.1:(\d+))");
  std::smatch match;
  std::string err;
  bool serving = wait_until(
      [&] {
        err = process_.stderr_so_far();
        return std::regex_search(err, match, kServing) || has_exited(process_.pid());
      },
      20000);
  if (!serving || match.empty()) {
    process_.signal(SIGKILL);
    throw std::runtime_error("serve did not start:\n" + err);
  }
  port_ = std::stoi(match[1]);
  client_ = std::make_unique<HttpClient>(port_);
}

HttpReply ServeProcess::post(const std::string& path, const std::string& json_body) {
  return client_->post(path, {{"Content-Type", "application/json"}}, json_body);
}

nlohmann::json ServeProcess::get_json(const std::string& path) {
  return nlohmann::json::parse(get(path).body, nullptr, false);
}

ProcessResult ServeProcess::stop(int timeout_ms) {
  process_.signal(SIGTERM);
  if (!wait_until([&] { return has_exited(process_.pid()); }, timeout_ms)) {
    ADD_FAILURE() << "flowweaver serve did not exit within " << timeout_ms << " ms";
    process_.signal(SIGKILL);
  }
  return process_.wait();
}

void ServeProcess::kill_nine() {
  process_.signal(SIGKILL);
  process_.wait();
}

}  // namespace flowweaver::testing
