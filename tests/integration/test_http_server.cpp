#include "test_http_server.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace flowweaver::testing {
namespace {

const char* const kScript = FLOWWEAVER_SOURCE_DIR "/tests/integration/http_test_server.py";

// The first line the server prints: its port. Waits up to 10 s.
int read_port(int fd) {
  std::string line;
  char c;
  while (line.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    if (::read(fd, &c, 1) != 1) break;
    line += c;
  }
  return std::atoi(line.c_str());
}

void run_or_throw(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error(
        "failed: " + command +
        " (openssl is needed for the TLS tests; scripts/setup.sh installs it)");
  }
}

}  // namespace

TestHttpServer::TestHttpServer(const Tls* tls) : tls_(tls != nullptr) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args = {"python3", kScript};
  if (tls) args.insert(args.end(), {"--tls", tls->certificate.string(), tls->key.string()});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  int failed = ::posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (failed != 0) {
    ::close(out[0]);
    throw std::runtime_error(
        "cannot start python3 for the test HTTP server "
        "(scripts/setup.sh installs python3)");
  }
  port_ = read_port(out[0]);
  ::close(out[0]);
  if (port_ <= 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    throw std::runtime_error(std::string("the test HTTP server did not start: ") + kScript);
  }
}

TestHttpServer::~TestHttpServer() {
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string TestHttpServer::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

TestHttpServer::Tls make_test_certificates(const std::filesystem::path& dir) {
  std::string d = dir.string();
  std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::ofstream(dir / "server.ext") << "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                       "extendedKeyUsage=serverAuth\n";
  run_or_throw("openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + d +
               "/ca.pem -days 3650 -subj '/CN=FlowWeaver test CA'");
  run_or_throw("openssl req" + ec + " -keyout " + d + "/server.key -out " + d +
               "/server.csr -subj '/CN=127.0.0.1'");
  run_or_throw("openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
               "/ca.key -CAcreateserial -out " + d + "/server.pem -days 3650 -extfile " + d +
               "/server.ext");
  return {dir / "server.pem", dir / "server.key"};
}

}  // namespace flowweaver::testing
