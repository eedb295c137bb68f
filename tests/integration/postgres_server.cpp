#include "postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace flowweaver::testing {
namespace {

constexpr const char* kUnprivilegedUser = "nobody";
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kStopTimeout = std::chrono::seconds(10);

struct Identity {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

Identity server_identity() {
  if (geteuid() != 0) return {};
  const passwd* user = getpwnam(kUnprivilegedUser);
  if (user == nullptr) {
    throw std::runtime_error(std::string("running as root, PostgreSQL needs an unprivileged "
                                         "user, but there is no user '") +
                             kUnprivilegedUser + "'");
  }
  return {true, user->pw_uid, user->pw_gid};
}

// Forks and runs `argv` in `dir` as `who`, its output appended to `log`. The child gets
// SIGQUIT (PostgreSQL's immediate shutdown) if this process dies first, so a crashed test
// leaves no server behind.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& dir,
            const std::filesystem::path& log, const Identity& who) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid > 0) return pid;
  if (who.switch_user &&
      (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0)) {
    _exit(126);
  }
  prctl(PR_SET_PDEATHSIG, SIGQUIT);  // after setuid, which clears it
  if (chdir(dir.c_str()) != 0) _exit(126);
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) _exit(126);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

PostgresServer::PostgresServer(const std::filesystem::path& bin_dir) : bin_dir_(bin_dir) {
  std::string pattern = (std::filesystem::temp_directory_path() / "flowweaver-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  Identity who = server_identity();
  if (who.switch_user && chown(dir_.c_str(), who.uid, who.gid) != 0) {
    throw std::runtime_error("cannot hand " + dir_.string() + " to " + kUnprivilegedUser);
  }
  try {
    initdb();
    // Another process may take the port between our look and the server's bind: try again.
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (start_on_free_port()) return;
    }
    throw std::runtime_error("PostgreSQL did not start; its log:\n" +
                             read_all(dir_ / "server.log"));
  } catch (...) {
    stop();
    throw;
  }
}

PostgresServer::~PostgresServer() { stop(); }

std::string PostgresServer::url() const {
  return "postgresql://flowweaver@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

void PostgresServer::initdb() {
  std::string initdb = (bin_dir_ / "initdb").string();
  if (!std::filesystem::exists(initdb)) {
    throw std::runtime_error(initdb +
                             " is missing: install PostgreSQL (Debian package "
                             "`postgresql`, which scripts/setup.sh installs)");
  }
  pid_t pid = spawn({initdb, "-D", (dir_ / "data").string(), "-U", "flowweaver", "-A", "trust",
                     "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                    dir_, dir_ / "initdb.log", server_identity());
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("initdb failed (status " + std::to_string(status) + "):\n" +
                             read_all(dir_ / "initdb.log"));
  }
}

bool PostgresServer::start_on_free_port() {
  port_ = free_loopback_port();
  // Durability is not what these tests are about: fsync off keeps each commit quick.
  pid_ = spawn({(bin_dir_ / "postgres").string(), "-D", (dir_ / "data").string(), "-p",
                std::to_string(port_), "-k", dir_.string(), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"},
               dir_, dir_ / "server.log", server_identity());
  std::string conninfo = url() + "?connect_timeout=2";
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;  // exited: most likely the port was taken
      return false;
    }
    if (PQping(conninfo.c_str()) == PQPING_OK) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop_server();
  return false;
}

void PostgresServer::stop() noexcept {
  stop_server();
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

void PostgresServer::stop_server() noexcept {
  if (pid_ > 0) {
    kill(pid_, SIGINT);  // "fast" shutdown: ends sessions, no checkpoint wait for clients
    auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }
}

}  // namespace flowweaver::testing
