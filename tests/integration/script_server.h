// A real server for a plugin test: one of the Python scripts in tests/integration/servers,
// started by Debian's python3 on an ephemeral loopback port, stopped when the object goes away.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flowweaver::testing {

class ScriptServer {
 public:
  // Runs servers/<script> with `args` plus --port-file and --record in `dir`, and waits until it
  // listens. Fails the test (and throws) when it does not within 10 s, e.g. when python3 or a
  // Python module it needs is missing: scripts/setup.sh installs them.
  ScriptServer(const std::string& script, const std::vector<std::string>& args,
               const std::filesystem::path& dir);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;

  int port() const { return port_; }
  // What the server recorded so far, one JSON object per request or message.
  std::vector<nlohmann::json> records() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path record_path_, log_path_;
};

// A loopback port nothing listens on (bound, then closed again).
int closed_port();

}  // namespace flowweaver::testing
