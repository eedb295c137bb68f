// The host configuration of `flowweaver serve --config FILE`: a YAML map whose keys are the
// fields below (`listen: HOST:PORT` sets listen_host and listen_port). Every key is optional.
//
//   workflows_dir: workflows            # where the served manifests are
//   plugin_dirs: [plugins]              # replaces the normal plugin search path
//   state_dir: var                      # run state, one store per workflow; the plugin cache
//   state: postgresql://fw@db/flowweaver  # or the run state in a database, shared by hosts
//   state_password_file: /run/credentials/flowweaver.service/pg   # its password, or
//   state_password: ${secrets.PG_PASSWORD}                         # a secret (FORMAT.md)
//   host_id: web-1                      # this host among several; default <hostname>-<pid>
//   cluster_workers: 8                  # with `state:`: tasks this host runs for the cluster
//   lease: 10s                          # with `state:`: how long a dead host holds a task
//   log_dir: var/log                    # per-run logs
//   listen: 127.0.0.1:8080              # or [::1]:8080, localhost:0 (0: any free port)
//   token: s3cret                       # every /api request must carry it; empty: none
//   token_file: /run/credentials/flowweaver.service/token   # or the token read from a file
//   max_concurrent_runs: 4
//   max_workers: 8                      # per run; overrides the manifests' max_workers
//   grace_period: 30s
//   log_max_bytes: 10MiB                # see util/byte_size.h
//   log_max_files: 3
//   default_isolation: process          # or in-process; a manifest's `isolation:` wins
//   pools: {warehouse: 2}               # slots per pool, shared by every run (FORMAT.md "Pools")
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "util/clock.h"

namespace flowweaver {

struct ServiceConfig {
  // Relative paths, the defaults included, are resolved against the config file's directory.
  std::filesystem::path workflows_dir = "workflows";
  std::vector<std::filesystem::path> plugin_dirs;  // empty: the normal plugin search path
  std::filesystem::path state_dir = "var";
  // A database URL (state_location.h) holding every workflow's runs instead of state_dir's
  // files, with the password given apart, if any, already added; empty: state_dir's files.
  std::string state_url;
  // This host's name among the hosts sharing a database state: in its logs, /health and claims.
  std::string host_id;
  // With a database state: how many tasks of any host's runs this host runs at once (claim
  // workers), and how long a claimed task stays this host's without a renewal.
  int cluster_workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Millis lease{10000};
  std::filesystem::path log_dir = "var/log";
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;  // 0: pick a free port
  std::string token;       // empty: /api needs no token
  int max_concurrent_runs = 4;
  std::optional<int> max_workers;             // per run; default: the manifest's, else the cores
  Millis grace_period{30000};                 // on SIGTERM: how long running tasks may finish
  uint64_t log_max_bytes = 10 * 1024 * 1024;  // per-run log size that starts a new file
  int log_max_files = 3;                      // rotated files kept per run
  // Where tasks whose manifest does not say run: in a child process, so that a crashing plugin
  // cannot take the service (and every other workflow) down.
  Isolation default_isolation = Isolation::kProcess;
  // Slots per pool; a manifest naming another pool is refused when loaded.
  std::map<std::string, int> pools;
  std::string file;  // the config file, as given; empty when read from text
};

// Reads the config file. Every problem (unreadable file, invalid YAML, an empty file, a root
// that is not a map, unknown keys, wrong types, numbers out of range, a bad address, duration
// or size) is reported to `diagnostics` with its line and column, and then nothing is returned.
std::optional<ServiceConfig> load_service_config(const std::string& file,
                                                 DiagnosticList* diagnostics);

// The same for config text; relative paths are resolved against `config_dir`.
std::optional<ServiceConfig> parse_service_config(std::string_view yaml,
                                                  const std::filesystem::path& config_dir,
                                                  DiagnosticList* diagnostics);

// "127.0.0.1:8080", "[::1]:8080" (host "::1"), "localhost:0". On a bad address: false, *error
// says why, *host and *port are unchanged.
bool parse_listen_address(std::string_view text, std::string* host, int* port, std::string* error);

}  // namespace flowweaver
