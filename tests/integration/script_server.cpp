#include "script_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "flowweaver_process.h"

extern char** environ;

namespace flowweaver::testing {
namespace {

// Debian's interpreter, not whichever python3 comes first in PATH: the modules the scripts use
// (aiosmtpd) are installed for it.
constexpr const char* kPython = "/usr/bin/python3";

pid_t spawn_script(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> pointers;
  for (const std::string& arg : argv) pointers.push_back(const_cast<char*>(arg.c_str()));
  pointers.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int error = posix_spawn(&pid, kPython, &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error(std::string("cannot start ") + kPython);
  return pid;
}

}  // namespace

ScriptServer::ScriptServer(const std::string& script, const std::vector<std::string>& args,
                           const std::filesystem::path& dir) {
  std::filesystem::path port_path = dir / (script + ".port");
  record_path_ = dir / (script + ".record");
  log_path_ = dir / (script + ".log");
  std::vector<std::string> argv = {
      kPython,       FLOWWEAVER_SOURCE_DIR "/tests/integration/servers/" + script,
      "--port-file", port_path.string(),
      "--record",    record_path_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawn_script(argv, log_path_);
  bool listening = wait_until([&] { return std::filesystem::exists(port_path); }, 10000);
  if (!listening) {
    std::string log = read_file(log_path_);
    ADD_FAILURE_AT(__FILE__, __LINE__) << script << " did not start: " << log;
    throw std::runtime_error(script + " did not start: " + log);
  }
  port_ = std::stoi(read_file(port_path));
}

ScriptServer::~ScriptServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

std::vector<nlohmann::json> ScriptServer::records() const {
  std::vector<nlohmann::json> records;
  std::ifstream in(record_path_);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) records.push_back(nlohmann::json::parse(line));
  }
  return records;
}

int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace flowweaver::testing
