// `flowweaver serve`, end to end: each test starts the real service on a free port in a scratch
// directory, talks to it over HTTP (and raw sockets, signals, the systemd notify socket), and
// stops it with SIGTERM, which must always end in exit code 0.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "flowweaver_process.h"
#include "http_client.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Every test's config starts with this; tests append their own keys.
constexpr const char* kBaseConfig = R"(workflows_dir: workflows
state_dir: var
log_dir: var/log
listen: "127.0.0.1:0"
)";

// Writes config.yaml (kBaseConfig + `extra`) and creates the workflows directory.
void write_config(const TempDir& dir, const std::string& extra = "") {
  dir.write("config.yaml", kBaseConfig + extra);
  fs::create_directories(dir.path() / "workflows");
}

// Writes `text` under a hidden name in the same directory, then renames it to `file`: how a
// deploy tool makes a file appear whole.
void write_by_rename(const fs::path& file, const std::string& text) {
  fs::path staged = file.parent_path() / ("." + file.filename().string() + ".tmp");
  std::ofstream(staged, std::ios::binary) << text;
  fs::rename(staged, file);
}

// Copies `from` to a hidden name in `dir`, then renames the copy to dir/name.
void deploy_by_rename(const fs::path& from, const fs::path& dir, const std::string& name) {
  fs::path staged = dir / ("." + name + ".tmp");
  fs::copy_file(from, staged, fs::copy_options::overwrite_existing);
  fs::rename(staged, dir / name);
}

// True when some line of `text` contains every one of `parts`.
bool has_line_with(const std::string& text, const std::vector<std::string>& parts) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    bool all = true;
    for (const std::string& part : parts) all = all && line.find(part) != std::string::npos;
    if (all) return true;
  }
  return false;
}

// True once the process has exited; it is left to be reaped by FlowWeaverProcess::wait().
bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// Waits up to `timeout_ms` for `process` to exit (a test failure and SIGKILL after that).
ProcessResult wait_for_exit(FlowWeaverProcess& process, int timeout_ms) {
  if (!wait_until([&] { return has_exited(process.pid()); }, timeout_ms)) {
    ADD_FAILURE() << "flowweaver did not exit within " << timeout_ms << " ms";
    process.signal(SIGKILL);
  }
  return process.wait();
}

// --- Prometheus text format -------------------------------------------------------------------

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

bool is_name_char(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// Reads `label="value",...}` from line[*pos] on; *pos ends after the closing brace.
bool parse_labels(const std::string& line, size_t* pos, std::map<std::string, std::string>* out) {
  size_t i = *pos;
  while (i < line.size() && line[i] != '}') {
    size_t key_begin = i;
    while (i < line.size() && is_name_char(line[i], i == key_begin)) ++i;
    if (i == key_begin || line.compare(i, 2, "=\"") != 0) return false;
    std::string key = line.substr(key_begin, i - key_begin);
    std::string value;
    for (i += 2; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
        value += line[i] == 'n' ? '\n' : line[i];
      } else {
        value += line[i];
      }
    }
    if (i >= line.size() || !out->emplace(key, value).second) return false;
    ++i;  // the closing quote
    if (i < line.size() && line[i] == ',') ++i;
  }
  if (i >= line.size()) return false;
  *pos = i + 1;
  return true;
}

// One sample line: `name{label="value",...} value` (labels optional, no timestamp).
std::optional<Sample> parse_sample(const std::string& line) {
  Sample s;
  size_t i = 0;
  while (i < line.size() && is_name_char(line[i], i == 0)) ++i;
  if (i == 0) return std::nullopt;
  s.name = line.substr(0, i);
  if (i < line.size() && line[i] == '{') {
    ++i;
    if (!parse_labels(line, &i, &s.labels)) return std::nullopt;
  }
  if (i + 1 >= line.size() || line[i] != ' ') return std::nullopt;
  std::string value = line.substr(i + 1);
  char* end = nullptr;
  s.value = std::strtod(value.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return s;
}

// Every sample of an exposition; comments and blank lines are skipped. A malformed line is a
// test failure, and what was read up to it is returned.
std::vector<Sample> parse_metrics(const std::string& text) {
  std::vector<Sample> samples;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::optional<Sample> s = parse_sample(line);
    if (!s) {
      ADD_FAILURE() << "malformed metrics line: " << line;
      break;
    }
    samples.push_back(std::move(*s));
  }
  return samples;
}

// The value of the sample named `name` with exactly `labels`; nothing when there is none.
std::optional<double> sample(const std::vector<Sample>& samples, const std::string& name,
                             const std::map<std::string, std::string>& labels = {}) {
  for (const Sample& s : samples) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

// --- The service under test -------------------------------------------------------------------

struct Reply {
  int status = -1;  // -1: no HTTP response at all
  std::string body;
  Json json() const { return Json::parse(body, nullptr, false); }
};

// `flowweaver serve --config config.yaml` in `dir`, with an HTTP client for the port it chose.
class Served {
 public:
  explicit Served(const TempDir& dir, const std::map<std::string, std::string>& env = {})
      : process_({"serve", "--config", (dir.path() / "config.yaml").string()}, dir.path(), env) {
    static const std::regex kServing(R"(serving \d+ workflow\(s\) on http://127\.0\.0\.1:(\d+))");
    std::smatch match;
    std::string err;
    bool serving = wait_until([&] {
      err = process_.stderr_so_far();
      return std::regex_search(err, match, kServing) || has_exited(process_.pid());
    });
    if (!serving || match.empty()) throw std::runtime_error("serve did not start:\n" + err);
    port_ = std::stoi(match[1]);
    client_ = std::make_unique<HttpClient>(port_);
  }

  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  void signal(int signal) { process_.signal(signal); }
  std::string err() const { return process_.stderr_so_far(); }

  // Every request carries these headers too (e.g. the token).
  void always_send(Headers headers) { default_headers_ = std::move(headers); }

  Reply get(const std::string& path) { return reply(client_->get(path, default_headers_)); }

  Reply post(const std::string& path, const Headers& headers = {}, const std::string& body = "") {
    Headers all = default_headers_;
    all.insert(all.end(), headers.begin(), headers.end());
    all.emplace_back("Content-Type", "application/json");
    return reply(client_->post(path, all, body));
  }

  // SIGTERM, then up to `timeout_ms` for the process to exit (SIGKILL after that).
  ProcessResult stop(int timeout_ms = 10000) {
    process_.signal(SIGTERM);
    return wait_for_exit(process_, timeout_ms);
  }

 private:
  static Reply reply(const HttpReply& r) { return {r.status, r.body}; }

  FlowWeaverProcess process_;
  int port_ = 0;
  std::unique_ptr<HttpClient> client_;
  Headers default_headers_;
};

std::vector<Sample> metrics(Served& s) {
  Reply r = s.get("/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  return parse_metrics(r.body);
}

// POSTs a run of `workflow`; its id, or "" (and a test failure) when none was started.
std::string start_run(Served& s, const std::string& workflow, const Headers& headers = {}) {
  Reply r = s.post("/api/workflows/" + workflow + "/runs", headers);
  EXPECT_EQ(r.status, 201) << r.body << "service log:\n" << s.err();
  Json body = r.json();
  return body.is_object() && body["run_id"].is_string() ? body["run_id"].get<std::string>() : "";
}

// True while /api/workflows shows `run_id` as some workflow's active run.
bool is_active(Served& s, const std::string& run_id) {
  Json list = s.get("/api/workflows").json();
  if (!list.is_array()) return true;
  for (const Json& w : list) {
    if (w.value("active_run", Json()) == run_id) return true;
  }
  return false;
}

// Polls GET /api/runs/ID until the run has `status`; returns the last body read. For a final
// status it also waits until the service has let go of the run: it writes the status a moment
// before it accepts the next run of the workflow.
Json wait_for_run(Served& s, const std::string& run_id, const std::string& status = "COMPLETED",
                  int timeout_ms = 10000) {
  Json run;
  bool reached = wait_until(
      [&] {
        run = s.get("/api/runs/" + run_id).json();
        return run.is_object() && run.value("status", "") == status;
      },
      timeout_ms);
  EXPECT_TRUE(reached) << "run " << run_id << " never became " << status << ": " << run.dump(2);
  if (reached && status != "RUNNING") {
    EXPECT_TRUE(wait_until([&] { return !is_active(s, run_id); }, timeout_ms))
        << "run " << run_id << " is " << status << " but still active";
  }
  return run;
}

// The entry of `run`'s "tasks" for task `name`, or null.
Json task_of(const Json& run, const std::string& name) {
  if (!run.contains("tasks")) return nullptr;
  for (const Json& task : run["tasks"]) {
    if (task.value("task", "") == name) return task;
  }
  return nullptr;
}

std::set<std::string> workflow_names(Served& s) {
  std::set<std::string> names;
  Json list = s.get("/api/workflows").json();
  if (!list.is_array()) return names;
  for (const Json& w : list) names.insert(w.value("name", ""));
  return names;
}

// The version /api/plugins shows for `plugin`, or "" when it is not listed.
std::string plugin_version(Served& s, const std::string& plugin) {
  Json list = s.get("/api/plugins").json();
  if (!list.is_array()) return "";
  for (const Json& p : list) {
    if (p.value("name", "") == plugin) return p.value("version", "");
  }
  return "";
}

// Builds tests/plugins/hot_version.c as version `version` into `out`.
void compile_hot_plugin(int version, const fs::path& out) {
  std::string command = std::string("'") + FLOWWEAVER_C_COMPILER + "' -shared -fPIC -I'" +
                        FLOWWEAVER_SDK_INCLUDE_DIR + "' -DHOT_VERSION=" + std::to_string(version) +
                        " -o '" + out.string() + "' '" + FLOWWEAVER_SOURCE_DIR +
                        "/tests/plugins/hot_version.c'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// --- Raw sockets ------------------------------------------------------------------------------

// Sends `request` to 127.0.0.1:port as is and returns what comes back up to the end of the
// reply's headers (or until the server closes the connection, or 5 s pass).
std::string raw_exchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket failed";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    // The server may answer and close before it has read everything: that is fine.
    for (size_t sent = 0; sent < request.size();) {
      ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    char buffer[4096];
    for (ssize_t n; reply.find("\r\n\r\n") == std::string::npos &&
                    (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      reply.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return reply;
}

// The status code of a raw HTTP reply ("HTTP/1.1 400 Bad Request" -> 400); -1 if none.
int raw_status(const std::string& reply) {
  static const std::regex kStatusLine(R"(^HTTP/1\.[01] (\d{3}) )");
  std::smatch match;
  return std::regex_search(reply, match, kStatusLine) ? std::stoi(match[1]) : -1;
}

// A listening TCP socket on a free port of 127.0.0.1, closed on destruction.
class TakenPort {
 public:
  TakenPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 1) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error(std::string("cannot take a port: ") + std::strerror(errno));
    }
    port_ = ntohs(addr.sin_port);
  }
  ~TakenPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A unix datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path) throw std::runtime_error("path too long");
    std::strcpy(addr.sun_path, path.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot bind " + path.string() + ": " + std::strerror(errno));
    }
  }
  ~NotifySocket() { ::close(fd_); }
  const fs::path& path() const { return path_; }
  const std::vector<std::string>& messages() const { return messages_; }

  // Receives messages until one starts with `prefix` (true) or `timeout_ms` pass (false).
  // Messages received earlier count too.
  bool wait_for(const std::string& prefix, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    size_t checked = 0;
    while (true) {
      for (; checked < messages_.size(); ++checked) {
        if (messages_[checked].rfind(prefix, 0) == 0) return true;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      receive(static_cast<int>(left.count()));
    }
  }

  // Receives for `duration_ms`, then counts the messages (all so far) equal to `message`.
  size_t count_after(const std::string& message, int duration_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(duration_ms);
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
      receive(static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1));
    }
    return static_cast<size_t>(std::count(messages_.begin(), messages_.end(), message));
  }

 private:
  void receive(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return;
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) messages_.emplace_back(buffer, static_cast<size_t>(n));
  }

  fs::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

// --- 1. Health and metrics --------------------------------------------------------------------

TEST(ServeTest, HealthEndpointsAndMetricsFollowRuns) {
  TempDir dir;
  write_config(dir);
  dir.write("workflows/pipeline.yaml", R"(name: pipeline
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.noop, depends_on: [a]}
  - {name: c, uses: builtin.echo, with: {from_a: "${tasks.a.output.v}"}, depends_on: [a, b]}
)");
  dir.write("workflows/flaky.yaml", R"(name: flaky
tasks:
  - {name: f, uses: builtin.fail, with: {times: 1}, retries: 1, retry_delay: 10ms}
)");
  Served s(dir);

  Reply livez = s.get("/livez");
  EXPECT_EQ(livez.status, 200);
  EXPECT_EQ(livez.json(), Json::parse(R"({"status": "ok"})"));
  Reply readyz = s.get("/readyz");
  EXPECT_EQ(readyz.status, 200) << readyz.body;
  EXPECT_EQ(readyz.json()["status"], "ok");
  EXPECT_EQ(readyz.json()["checks"]["scheduler"]["ok"], true);
  Reply health = s.get("/health");
  ASSERT_EQ(health.status, 200) << health.body;
  Json h = health.json();
  EXPECT_EQ(h["status"], "ok");
  ASSERT_TRUE(h["version"].is_string());
  EXPECT_FALSE(h["version"].get<std::string>().empty());
  EXPECT_EQ(h["checks"]["scheduler"]["ok"], true);
  EXPECT_EQ(h["checks"]["state_store"]["ok"], true);
  EXPECT_GE(h["plugins_loaded"].get<int>(), 1);
  EXPECT_EQ(h["active_runs"], 0);

  std::vector<Sample> before = metrics(s);
  EXPECT_EQ(sample(before, "flowweaver_build_info", {{"version", h["version"].get<std::string>()}}),
            1.0);
  EXPECT_EQ(sample(before, "flowweaver_runs_active"), 0.0);
  EXPECT_EQ(sample(before, "flowweaver_plugins_loaded"), h["plugins_loaded"].get<double>());

  std::string run_id = start_run(s, "pipeline");
  ASSERT_FALSE(run_id.empty());
  Json run = wait_for_run(s, run_id);
  EXPECT_EQ(run["workflow"], "pipeline");
  ASSERT_EQ(run["tasks"].size(), 3u) << run.dump(2);
  for (const Json& task : run["tasks"]) {
    EXPECT_EQ(task["status"], "COMPLETED") << task.dump();
    EXPECT_EQ(task["attempts"], 1) << task.dump();
    EXPECT_GE(task["duration_ms"].get<int64_t>(), 0) << task.dump();
    ASSERT_EQ(task["attempt_history"].size(), 1u) << task.dump();
    EXPECT_EQ(task["attempt_history"][0]["status"], "COMPLETED");
  }
  EXPECT_EQ(task_of(run, "a")["output"], Json::parse(R"({"v": 1})"));
  EXPECT_EQ(task_of(run, "c")["output"], Json::parse(R"({"from_a": 1})"));
  Json listed = s.get("/api/runs?workflow=pipeline&limit=5").json();
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["run_id"], run_id);

  // The run's end is counted just after its state is written: poll for it.
  const std::map<std::string, std::string> pipeline = {{"workflow", "pipeline"}};
  std::vector<Sample> after;
  EXPECT_TRUE(wait_until([&] {
    after = metrics(s);
    return sample(after, "flowweaver_runs_total",
                  {{"workflow", "pipeline"}, {"status", "COMPLETED"}}) == 1.0 &&
           sample(after, "flowweaver_runs_active") == 0.0;
  }));
  EXPECT_EQ(
      sample(after, "flowweaver_tasks_total", {{"workflow", "pipeline"}, {"status", "COMPLETED"}}),
      3.0);
  EXPECT_EQ(sample(after, "flowweaver_task_duration_seconds_count", pipeline), 3.0);
  EXPECT_EQ(sample(after, "flowweaver_task_duration_seconds_bucket",
                   {{"workflow", "pipeline"}, {"le", "+Inf"}}),
            3.0);
  EXPECT_EQ(sample(after, "flowweaver_task_schedule_delay_seconds_count", pipeline), 3.0);
  EXPECT_EQ(sample(after, "flowweaver_task_retries_total", pipeline).value_or(0), 0.0);

  std::string flaky_id = start_run(s, "flaky");
  Json flaky = wait_for_run(s, flaky_id);
  Json f = task_of(flaky, "f");
  EXPECT_EQ(f["attempts"], 2) << f.dump();
  ASSERT_EQ(f["attempt_history"].size(), 2u) << f.dump();
  EXPECT_EQ(f["attempt_history"][0]["status"], "FAILED");
  EXPECT_THAT(f["attempt_history"][0]["error"].get<std::string>(), HasSubstr("deliberate failure"));
  EXPECT_TRUE(wait_until([&] {
    after = metrics(s);
    return sample(after, "flowweaver_runs_total",
                  {{"workflow", "flaky"}, {"status", "COMPLETED"}}) == 1.0;
  }));
  EXPECT_EQ(sample(after, "flowweaver_task_retries_total", {{"workflow", "flaky"}}), 1.0);
  EXPECT_EQ(
      sample(after, "flowweaver_tasks_total", {{"workflow", "flaky"}, {"status", "COMPLETED"}}),
      1.0);

  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// --- 2. Hot deploy of plugins -----------------------------------------------------------------

TEST(ServeTest, PluginReplacedDuringARunServesTheNextRunAndBrokenFilesAreRefused) {
  TempDir dir;
  fs::path hot_dir = dir.path() / "hotplugins";
  fs::path staging = dir.path() / "staging";
  fs::create_directories(hot_dir);
  fs::create_directories(staging);
  compile_hot_plugin(1, staging / "hot-1.so");
  // Built before the service starts so that deploying it mid-run is quick even on a busy machine.
  compile_hot_plugin(2, staging / "hot-2.so");
  deploy_by_rename(staging / "hot-1.so", hot_dir, "hot.so");
  write_config(dir, std::string("plugin_dirs: [\"") + FLOWWEAVER_PLUGIN_DIR + "\", hotplugins]\n");
  // Under serve tasks run in child processes by default: each loads the private copy of the
  // plugin that its run pinned, so `later`, started after the deployment, still runs version 1.
  dir.write("workflows/hot.yaml", R"(name: hot
tasks:
  - {name: v, uses: hot.version, with: {hold_ms: 1500}}
  - {name: later, uses: hot.version, depends_on: [v], isolation: process}
)");
  dir.write("workflows/hot_quick.yaml", R"(name: hot_quick
tasks:
  - {name: v, uses: hot.version}
)");
  Served s(dir);
  EXPECT_EQ(plugin_version(s, "hot"), "1.0");

  std::string first = start_run(s, "hot");
  ASSERT_FALSE(first.empty());
  deploy_by_rename(staging / "hot-2.so", hot_dir, "hot.so");
  EXPECT_TRUE(wait_until([&] { return plugin_version(s, "hot") == "2.0"; }, 5000));
  EXPECT_EQ(s.get("/api/runs/" + first).json()["status"], "RUNNING")
      << "the new version was not deployed while the first run was active";
  Reply busy = s.post("/api/workflows/hot/runs");
  EXPECT_EQ(busy.status, 409) << busy.body;
  EXPECT_EQ(busy.json()["run_id"], first);
  EXPECT_TRUE(busy.json()["error"].is_string());

  Json run1 = wait_for_run(s, first);
  EXPECT_EQ(task_of(run1, "v")["output"], Json::parse(R"({"version": 1})"));
  EXPECT_EQ(task_of(run1, "later")["output"], Json::parse(R"({"version": 1})"));
  Json run2 = wait_for_run(s, start_run(s, "hot"));
  EXPECT_EQ(task_of(run2, "v")["output"], Json::parse(R"({"version": 2})"));
  EXPECT_EQ(task_of(run2, "later")["output"], Json::parse(R"({"version": 2})"));

  // Garbage renamed over the plugin in service: refused, and version 2 stays.
  std::ofstream(staging / "garbage.so", std::ios::binary) << std::string(4096, '\x5a');
  fs::rename(staging / "garbage.so", hot_dir / "hot.so");
  std::string hot_so = (hot_dir / "hot.so").string();
  EXPECT_TRUE(wait_until(
      [&] {
        return has_line_with(s.err(), {"refused", hot_so});
      },
      5000))
      << s.err();
  EXPECT_EQ(plugin_version(s, "hot"), "2.0");
  Json run3 = wait_for_run(s, start_run(s, "hot_quick"));
  EXPECT_EQ(task_of(run3, "v")["output"], Json::parse(R"({"version": 2})"));

  // A real plugin copied only in part, under a new name: refused, nothing else changes. Cut
  // inside its code: where debug information fills the second half of the file (the sanitizer
  // builds), the first half alone loads fine.
  size_t plugins_before = s.get("/api/plugins").json().size();
  std::string builtin = read_file(fs::path(FLOWWEAVER_PLUGIN_DIR) / "builtin.so");
  constexpr size_t kCopiedBytes = 16 * 1024;
  ASSERT_GT(builtin.size(), 2 * kCopiedBytes);
  write_by_rename(hot_dir / "truncated.so", builtin.substr(0, kCopiedBytes));
  std::string truncated = (hot_dir / "truncated.so").string();
  EXPECT_TRUE(wait_until(
      [&] {
        return has_line_with(s.err(), {"refused", truncated});
      },
      5000))
      << s.err();
  Reply health = s.get("/health");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.json()["plugins_loaded"], plugins_before);
  EXPECT_EQ(s.get("/api/plugins").json().size(), plugins_before);
  EXPECT_EQ(plugin_version(s, "hot"), "2.0");

  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// --- 3. Manifests appear, break, change and go --------------------------------------------------

// The service loads each plugin from a private copy; a plugin's `$ORIGIN` must still mean the
// directory it was deployed to, where the libraries it bundles are.
TEST(ServeTest, APluginFindsTheLibrariesItBundlesThroughOrigin) {
  TempDir dir;
  write_config(dir, "plugin_dirs: [\"" + std::string(TEST_PLUGIN_DIR_ORIGIN) + "\"]\n");
  dir.write("workflows/bundled.yaml", R"(name: bundled
tasks:
  - {name: a, uses: origin.answer}
)");
  Served s(dir);
  Json run = wait_for_run(s, start_run(s, "bundled"));
  EXPECT_EQ(run["tasks"][0]["output"]["answer"], 42) << run.dump() << s.err();
  EXPECT_FALSE(has_line_with(s.err(), {"refused"})) << s.err();
  // The private copy stays while the plugin is loaded (child processes load it), and goes with
  // the service.
  s.stop();
  EXPECT_TRUE(fs::is_empty(dir.path() / "var" / ".plugin-cache"));
}

TEST(ServeTest, ManifestsAreReloadedFromTheWatchedDirectoryAndOnSighup) {
  TempDir dir;
  write_config(dir);
  fs::path workflows = dir.path() / "workflows";
  dir.write("workflows/one.yaml", "name: one\ntasks:\n  - {name: t, uses: builtin.noop}\n");
  Served s(dir);
  EXPECT_EQ(workflow_names(s), (std::set<std::string>{"one"}));

  write_by_rename(workflows / "two.yaml",
                  "name: two\ntasks:\n  - {name: t, uses: builtin.echo, with: {v: 2}}\n");
  ASSERT_TRUE(wait_until([&] { return workflow_names(s).count("two") == 1; }, 5000)) << s.err();
  Json two = wait_for_run(s, start_run(s, "two"));
  EXPECT_EQ(task_of(two, "t")["output"], Json::parse(R"({"v": 2})"));

  write_by_rename(workflows / "broken.yaml",
                  "name: broken\ntasks:\n  - {name: x, uses: builtin.nope}\n");
  std::string broken = (workflows / "broken.yaml").string();
  EXPECT_TRUE(wait_until([&] {
    return has_line_with(s.err(), {"refused manifest", broken});
  })) << s.err();
  EXPECT_EQ(workflow_names(s), (std::set<std::string>{"one", "two"}));
  EXPECT_EQ(s.post("/api/workflows/broken/runs").status, 404);

  // An invalid edit of a served manifest: the version read before stays in service.
  write_by_rename(workflows / "two.yaml",
                  "name: two\ntasks:\n  - {name: t, uses: builtin.echo, depends_on: [ghost]}\n");
  EXPECT_TRUE(wait_until([&] {
    return has_line_with(s.err(), {"workflow 'two' stays in service"});
  })) << s.err();
  EXPECT_EQ(workflow_names(s), (std::set<std::string>{"one", "two"}));
  Json two_again = wait_for_run(s, start_run(s, "two"));
  EXPECT_EQ(task_of(two_again, "t")["output"], Json::parse(R"({"v": 2})"));

  fs::remove(workflows / "one.yaml");
  EXPECT_TRUE(wait_until([&] { return workflow_names(s).count("one") == 0; }, 5000));
  EXPECT_EQ(s.post("/api/workflows/one/runs").status, 404);

  // A hard link made into the directory raises only IN_CREATE, which the watcher does not
  // follow (it waits for a closed write or a rename): SIGHUP is what makes it seen.
  dir.write("outside/three.yaml", "name: three\ntasks:\n  - {name: t, uses: builtin.noop}\n");
  fs::create_hard_link(dir.path() / "outside/three.yaml", workflows / "three.yaml");
  s.signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] { return workflow_names(s).count("three") == 1; }, 5000)) << s.err();
  EXPECT_THAT(s.err(), HasSubstr("SIGHUP"));
  EXPECT_EQ(s.get("/livez").status, 200);
  wait_for_run(s, start_run(s, "three"));

  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// --- 4. SIGTERM in the middle of a run, and the resume
// --------------------------------------------

// b holds the run for HOLD (default 30 s), and ends early when cancelled.
constexpr const char* kSlowWorkflow = R"(name: slow
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.sleep, with: {duration: "${env.HOLD:-30s}"}, depends_on: [a]}
  - {name: c, uses: builtin.noop, depends_on: [b]}
)";

// Starts a run of kSlowWorkflow and waits until its task b runs; the run's id.
std::string start_slow_run(Served& s) {
  std::string run_id = start_run(s, "slow");
  Json run;
  EXPECT_TRUE(wait_until([&] {
    run = s.get("/api/runs/" + run_id).json();
    return task_of(run, "b").value("status", "") == "RUNNING";
  })) << run.dump(2);
  return run_id;
}

// POST /api/workflows/NAME/runs takes {"params": {...}}: checked against the declarations before
// anything runs (400 naming the parameter), used by the run and stored with it.
TEST(ServeTest, ARunStartedOverHttpTakesItsParamsFromTheBody) {
  TempDir dir;
  write_config(dir);
  dir.write("workflows/deploy.yaml", R"(name: deploy
params:
  target: {type: string, enum: [staging, prod], default: staging}
  batch: {type: integer}
tasks:
  - {name: show, uses: builtin.echo, with: {target: "${params.target}", batch: "${params.batch}"}}
)");
  Served s(dir);
  Json listed = s.get("/api/workflows").json();
  ASSERT_TRUE(listed.is_array() && listed.size() == 1) << listed.dump();
  EXPECT_EQ(listed[0]["params"], Json::parse(R"([
    {"name": "target", "type": "string", "required": false, "default": "staging",
     "enum": ["staging", "prod"], "description": ""},
    {"name": "batch", "type": "integer", "required": true, "default": null, "enum": [],
     "description": ""}])"));
  Reply r =
      s.post("/api/workflows/deploy/runs", {}, R"({"params": {"target": "prod", "batch": 7}})");
  ASSERT_EQ(r.status, 201) << r.body << s.err();
  std::string run_id = r.json()["run_id"];
  Json run = wait_for_run(s, run_id);
  EXPECT_EQ(run["params"], Json::parse(R"({"target": "prod", "batch": 7})"));
  EXPECT_EQ(query_column((dir.path() / "var" / "deploy.db").string(),
                         "SELECT result FROM tasks WHERE task_name = 'show'"),
            (std::vector<std::string>{R"({"batch":7,"target":"prod"})"}));

  struct Case {
    std::string body, message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"params": {"target": "qa", "batch": 1}})",
            "parameter 'target': 'qa' is not one of staging, prod"},
           {R"({"params": {"batch": "7"}})", "parameter 'batch' must be integer, not string"},
           {R"({"params": {"tagret": "prod", "batch": 1}})",
            "unknown parameter 'tagret' (did you mean 'target'?)"},
           {R"({"params": {}})",
            "parameter 'batch' is required (it has no default): add \"batch\" to \"params\" in the "
            "request body"},
           {"", "parameter 'batch' is required"},
           {R"({"params": [1]})", "\"params\" must be a JSON object"},
           {R"({"parms": {}})", "unknown key 'parms' in the request body"},
           {"not json", "the request body must be a JSON object"}}) {
    Reply bad = s.post("/api/workflows/deploy/runs", {}, c.body);
    EXPECT_EQ(bad.status, 400) << c.body << ": " << bad.body;
    Json error = bad.json();
    EXPECT_THAT(error.value("error", ""), HasSubstr(c.message)) << c.body;
  }
  EXPECT_EQ(query_column((dir.path() / "var" / "deploy.db").string(), "SELECT count(*) FROM runs"),
            (std::vector<std::string>{"1"}));
}

// A failed run is resumed by the next POST: with its own params, and not with others.
TEST(ServeTest, AResumeOverHttpKeepsItsParamsAndRefusesOthers) {
  TempDir dir;
  write_config(dir);
  dir.write("workflows/deploy.yaml", R"(name: deploy
params:
  target: {type: string, default: staging}
tasks:
  - {name: flaky, uses: builtin.fail, with: {times: 1, permanent: true}}
  - {name: show, uses: builtin.echo, with: {target: "${params.target}"}, depends_on: [flaky]}
)");
  Served s(dir);
  Reply first = s.post("/api/workflows/deploy/runs", {}, R"({"params": {"target": "prod"}})");
  ASSERT_EQ(first.status, 201) << first.body;
  std::string run_id = first.json()["run_id"];
  wait_for_run(s, run_id, "FAILED");

  Reply other = s.post("/api/workflows/deploy/runs", {}, R"({"params": {"target": "qa"}})");
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_THAT(other.json().value("error", ""),
              HasSubstr("run " + run_id + " was started with target=prod, not qa"));

  Reply same = s.post("/api/workflows/deploy/runs");
  ASSERT_EQ(same.status, 201) << same.body;
  EXPECT_EQ(same.json()["run_id"], run_id);
  Json run = wait_for_run(s, run_id);
  EXPECT_EQ(task_of(run, "show")["output"], Json::parse(R"({"target": "prod"})"));
}

TEST(ServeTest, SigtermInterruptsARunThatTheNextStartResumes) {
  TempDir dir;
  write_config(dir, "grace_period: 300ms\n");
  dir.write("workflows/slow.yaml", kSlowWorkflow);
  std::string run_id;
  {
    Served s(dir);
    run_id = start_slow_run(s);
    ASSERT_FALSE(run_id.empty());
    auto sent = Clock::now();
    ProcessResult stopped = s.stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
    EXPECT_LT(Clock::now() - sent, std::chrono::seconds(5));
  }
  std::string db = (dir.path() / "var" / "slow.db").string();
  std::vector<std::string> status =
      query_column(db, "SELECT status FROM runs WHERE run_id = '" + run_id + "'");
  ASSERT_EQ(status.size(), 1u);
  EXPECT_THAT(status[0], ::testing::AnyOf("RUNNING", "INTERRUPTED"));
  EXPECT_EQ(query_column(db, "SELECT status FROM tasks WHERE task_name = 'a'"),
            (std::vector<std::string>{"COMPLETED"}));
  EXPECT_NE(query_column(db, "SELECT status FROM tasks WHERE task_name = 'b'"),
            (std::vector<std::string>{"COMPLETED"}));

  Served again(dir, {{"HOLD", "10ms"}});
  Json resumed = wait_for_run(again, run_id);
  for (const char* task : {"a", "b", "c"}) {
    EXPECT_EQ(task_of(resumed, task)["status"], "COMPLETED") << task;
  }
  EXPECT_EQ(task_of(resumed, "a")["attempts"], 1);
  EXPECT_EQ(task_of(resumed, "a")["attempt_history"].size(), 1u);
  EXPECT_EQ(task_of(resumed, "b")["output"], Json::parse(R"({"slept_ms": 10})"));
  EXPECT_EQ(again.get("/api/runs?workflow=slow").json().size(), 1u);
  EXPECT_EQ(query_column(db, "SELECT count(*) FROM attempts WHERE task_name = 'a'"),
            (std::vector<std::string>{"1"}));
  EXPECT_THAT(again.err(), HasSubstr("resuming"));
  ProcessResult stopped = again.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// --- 4b. A crashing plugin cannot crash-loop the service --------------------------------------

// What systemd's Restart=on-failure does, by hand: the service is started again each time it dies.
TEST(ServeTest, AnInProcessTaskThatCrashesTheServiceThreeTimesFailsAndOtherWorkflowsGoOn) {
  TempDir dir;
  write_config(dir, std::string("plugin_dirs: [\"") + FLOWWEAVER_PLUGIN_DIR + "\", \"" +
                        TEST_PLUGIN_DIR_CRASHY + "\"]\n");
  dir.write("workflows/crashing.yaml", R"(name: crashing
tasks:
  - {name: first, uses: crashy.pid}
  - {name: boom, uses: crashy.segfault, depends_on: [first], isolation: in-process}
  - {name: after, uses: crashy.pid, depends_on: [boom]}
)");
  dir.write("workflows/steady.yaml", R"(name: steady
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
)");
  std::map<std::string, std::string> env = deliberate_crash_env();
  {
    Served s(dir, env);
    wait_for_run(s, start_run(s, "steady"));
    s.post("/api/workflows/crashing/runs");  // the reply may never come
    ASSERT_TRUE(wait_until([&] { return has_exited(s.pid()); }, 20000)) << s.err();
  }
  // Each start resumes the run, whose task crashes the service again.
  for (int restart = 1; restart <= 2; ++restart) {
    FlowWeaverProcess p({"serve", "--config", (dir.path() / "config.yaml").string()}, dir.path(),
                        env);
    ProcessResult r = wait_for_exit(p, 20000);
    ASSERT_EQ(r.exit_code, 128 + SIGSEGV) << "restart " << restart << ": " << r.err;
  }
  Served s(dir, env);
  std::string run_id =
      query_column((dir.path() / "var" / "crashing.db").string(), "SELECT run_id FROM runs").at(0);
  Json run = wait_for_run(s, run_id, "FAILED");
  EXPECT_EQ(task_of(run, "first")["status"], "COMPLETED");
  EXPECT_EQ(task_of(run, "boom")["status"], "FAILED");
  EXPECT_EQ(task_of(run, "boom")["error"],
            "the host process died 3 times while this task was running; it probably crashes the "
            "host: run it with `isolation: process`");
  EXPECT_EQ(task_of(run, "after")["status"], "SKIPPED");
  ASSERT_EQ(run["host_deaths"].size(), 1u) << run.dump(2);
  EXPECT_THAT(run["host_deaths"][0].get<std::string>(),
              HasSubstr("the host died while 'boom' was running (3 of 3"));
  // The other workflow was never stopped for long: its runs go on.
  wait_for_run(s, start_run(s, "steady"));
  for (const Json& r : s.get("/api/runs?workflow=steady").json()) {
    EXPECT_EQ(r["status"], "COMPLETED") << r.dump();
  }
  EXPECT_EQ(s.get("/api/runs?workflow=steady").json().size(), 2u);
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// --- 5. systemd notify ------------------------------------------------------------------------

TEST(ServeTest, NotifiesSystemdOfReadinessStatusWatchdogAndStopping) {
  TempDir dir;
  write_config(dir);
  NotifySocket notify(dir.path() / "notify.sock");
  Served s(dir, {{"NOTIFY_SOCKET", notify.path().string()}, {"WATCHDOG_USEC", "400000"}});
  ASSERT_TRUE(notify.wait_for("READY=1", 5000));
  EXPECT_TRUE(notify.wait_for("STATUS=", 2000));
  EXPECT_TRUE(notify.wait_for("WATCHDOG=1", 2000));
  // Pinged at half of WATCHDOG_USEC (200 ms): several times a second.
  EXPECT_GE(notify.count_after("WATCHDOG=1", 1000), 3u)
      << ::testing::PrintToString(notify.messages());
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_TRUE(notify.wait_for("STOPPING=1", 2000)) << ::testing::PrintToString(notify.messages());
}

// --- 6. Token, malformed requests and limits
// ------------------------------------------------------

TEST(ServeTest, RejectsUnauthorizedMalformedAndOversizedRequestsAndStaysUp) {
  TempDir dir;
  write_config(dir, "token: s3cret\n");
  dir.write("workflows/w.yaml", "name: w\ntasks:\n  - {name: t, uses: builtin.noop}\n");
  Served s(dir);

  Reply anonymous = s.post("/api/workflows/w/runs");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_TRUE(anonymous.json()["error"].is_string());
  EXPECT_EQ(s.post("/api/workflows/w/runs", {{"Authorization", "Bearer wrong"}}).status, 401);
  EXPECT_EQ(s.post("/api/workflows/w/runs", {{"Authorization", "s3cret"}}).status, 401);
  // Reads need the token too; the probes of supervisors and load balancers do not.
  for (const char* path :
       {"/api/workflows", "/api/plugins", "/api/runs?workflow=w", "/api/runs/x"}) {
    Reply read = s.get(path);
    EXPECT_EQ(read.status, 401) << path << ": " << read.body;
    EXPECT_TRUE(read.json()["error"].is_string()) << read.body;
  }
  for (const char* path : {"/livez", "/readyz", "/health", "/metrics"}) {
    EXPECT_EQ(s.get(path).status, 200) << path;
  }
  // A body is not read for a request the token refuses: the answer comes before it is sent.
  int fd = connect_loopback(s.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd,
                       "POST /api/workflows/w/runs HTTP/1.1\r\nHost: x\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n"));
  HttpReply refused = read_reply(fd);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(refused.header("WWW-Authenticate"), "Bearer");
  ::close(fd);

  s.always_send({{"Authorization", "Bearer s3cret"}});
  std::string run_id = start_run(s, "w");
  wait_for_run(s, run_id);

  std::string garbage = raw_exchange(s.port(), "GARBAGE\r\n\r\n");
  EXPECT_EQ(raw_status(garbage), 400) << garbage;
  std::string huge_header = raw_exchange(s.port(), "GET /livez HTTP/1.1\r\nHost: x\r\nX-Huge: " +
                                                       std::string(64 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(raw_status(huge_header), 431) << huge_header.substr(0, 200);

  Reply bad_limit = s.get("/api/runs?limit=abc");
  EXPECT_EQ(bad_limit.status, 400);
  EXPECT_TRUE(bad_limit.json()["error"].is_string()) << bad_limit.body;
  EXPECT_EQ(s.get("/api/runs?workflow=nope").status, 404);
  EXPECT_EQ(s.get("/api/runs/nope").status, 404);
  Reply unknown = s.get("/no/such/path");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(unknown.json()["error"].is_string()) << unknown.body;
  Reply too_big = s.post("/api/workflows/w/runs", {}, std::string(1024 * 1024, 'x'));
  EXPECT_EQ(too_big.status, 413) << too_big.body;

  EXPECT_EQ(s.get("/livez").status, 200);
  EXPECT_EQ(s.get("/api/runs?workflow=w").json().size(), 1u);
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

TEST(ServeTest, BadRequestValuesGet400NamingTheParameterAndA500IsLoggedWithItsRequest) {
  TempDir dir;
  write_config(dir);
  dir.write("workflows/w.yaml", "name: w\ntasks:\n  - {name: t, uses: builtin.noop}\n");
  dir.write("workflows/broken.yaml", "name: broken\ntasks:\n  - {name: t, uses: builtin.noop}\n");
  Served s(dir);
  auto error_of = [](const Reply& r) { return r.json()["error"].get<std::string>(); };

  Reply bad_utf8 = s.get("/api/runs?workflow=%ff%fe");
  EXPECT_EQ(bad_utf8.status, 400) << bad_utf8.body;
  EXPECT_THAT(error_of(bad_utf8), HasSubstr("'workflow' is not valid UTF-8"));
  Reply bogus = s.get("/api/runs?bogus=1");
  EXPECT_EQ(bogus.status, 400) << bogus.body;
  EXPECT_THAT(error_of(bogus), HasSubstr("unknown query parameter 'bogus'"));
  EXPECT_THAT(error_of(bogus), HasSubstr("workflow, limit"));
  Reply twice = s.get("/api/runs?limit=1&limit=2");
  EXPECT_EQ(twice.status, 400) << twice.body;
  EXPECT_THAT(error_of(twice), HasSubstr("'limit' is given more than once"));
  EXPECT_EQ(s.get("/api/workflows?verbose=1").status, 400);
  Reply bad_id = s.get("/api/runs/%ff");
  EXPECT_EQ(bad_id.status, 400) << bad_id.body;
  EXPECT_THAT(error_of(bad_id), HasSubstr("the run id in the path is not valid UTF-8"));
  Reply bad_name = s.post("/api/workflows/%ff%fe/runs");
  EXPECT_EQ(bad_name.status, 400) << bad_name.body;
  EXPECT_THAT(error_of(bad_name), HasSubstr("the workflow name in the path"));
  Reply escape = s.get("/api/runs/%1b%5b2J");
  EXPECT_EQ(escape.status, 404) << escape.body;
  EXPECT_EQ(error_of(escape), "no run with id '\\x1b[2J'");

  dir.write("var/broken.db", std::string(4096, 'x'));  // not a database: reading it fails
  Reply broken = s.get("/api/runs?workflow=broken");
  EXPECT_EQ(broken.status, 500) << broken.body;
  EXPECT_TRUE(wait_until([&] {
    return s.err().find("HTTP GET /api/runs?workflow=broken answered 500: ") != std::string::npos;
  })) << s.err();

  EXPECT_EQ(s.get("/livez").status, 200);
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// POST /api/runs/ID/cancel reaches Service::cancel_run: an active run ends CANCELLED; a run
// already over, or an unknown one, is a clear 409 or 404.
TEST(ServeTest, ARunIsCancelledOverHttp) {
  TempDir dir;
  write_config(dir, "grace_period: 300ms\n");
  dir.write("workflows/slow.yaml", kSlowWorkflow);
  Served s(dir);
  std::string run_id = start_slow_run(s);
  ASSERT_FALSE(run_id.empty());
  Reply cancelling = s.post("/api/runs/" + run_id + "/cancel");
  EXPECT_EQ(cancelling.status, 202) << cancelling.body;
  EXPECT_EQ(cancelling.json().value("workflow", ""), "slow") << cancelling.body;
  wait_for_run(s, run_id, "CANCELLED");
  Reply again = s.post("/api/runs/" + run_id + "/cancel");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_THAT(again.json().value("error", ""), HasSubstr("CANCELLED"));
  EXPECT_EQ(s.post("/api/runs/nope/cancel").status, 404);
  EXPECT_EQ(s.get("/api/runs/" + run_id + "/cancel").status, 405);
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// A task's log over HTTP: whole once the attempt is over; with follow=1 as server-sent events,
// the first line arriving while the task still runs, then "end".
TEST(ServeTest, ATasksLogIsServedWholeAndFollowedAsItGrows) {
  TempDir dir;
  write_config(dir);
  dir.write("workflows/talk.yaml", R"(name: talk
tasks:
  - name: say
    uses: shell.run
    with:
      shell: true
      command: "echo first; sleep 1; echo second"
)");
  Served s(dir);
  std::string run_id = start_run(s, "talk");
  ASSERT_FALSE(run_id.empty());
  std::string path = "/api/runs/" + run_id + "/tasks/say/log";
  ASSERT_TRUE(wait_until([&] { return s.get(path).body.find("first") != std::string::npos; }))
      << s.get(path).body;

  int fd = connect_loopback(s.port());
  ASSERT_TRUE(send_all(fd, "GET " + path + "?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string received;
  ASSERT_TRUE(read_until(fd, &received, "stdout: first")) << received;
  EXPECT_THAT(received, HasSubstr("Content-Type: text/event-stream"));
  EXPECT_THAT(received, HasSubstr("event: log\ndata: "));
  EXPECT_EQ(received.find("stdout: second"), std::string::npos)
      << "the task had not printed it yet:\n"
      << received;
  ASSERT_TRUE(read_until(fd, &received, "event: end\n")) << received;
  EXPECT_THAT(received, HasSubstr("stdout: second"));
  EXPECT_TRUE(closed_within(fd, 5000));
  ::close(fd);

  wait_for_run(s, run_id);
  Reply whole = s.get(path);
  EXPECT_EQ(whole.status, 200);
  EXPECT_THAT(whole.body, HasSubstr("stdout: first\n"));
  EXPECT_THAT(whole.body, HasSubstr("stdout: second\n"));
  EXPECT_EQ(s.get(path + "?attempt=1").body, whole.body);

  Reply no_task = s.get("/api/runs/" + run_id + "/tasks/nope/log");
  EXPECT_EQ(no_task.status, 404);
  EXPECT_THAT(no_task.json().value("error", ""), HasSubstr("no task 'nope'"));
  EXPECT_EQ(s.get(path + "?attempt=2").status, 404);
  EXPECT_EQ(s.get(path + "?attempt=0").status, 400);
  EXPECT_EQ(s.get(path + "?follow=yes").status, 400);
  EXPECT_EQ(s.get("/api/runs/nope/tasks/say/log").status, 404);
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// --- 6b. Hostile clients ----------------------------------------------------------------------

// Clients that send a request header one byte a second, each on a thread of its own, until
// destroyed.
class SlowByteClients {
 public:
  SlowByteClients(int port, int count) {
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([this, port] {
        int fd = connect_loopback(port);
        const std::string request = "GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        for (size_t i = 0; fd >= 0 && !stop_; i = (i + 1) % request.size()) {
          if (!send_all(fd, request.substr(i, 1))) break;
          for (int t = 0; t < 10 && !stop_; ++t) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
        }
        if (fd >= 0) ::close(fd);
      });
    }
  }
  ~SlowByteClients() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Milliseconds a request for `path` takes on a new connection, connect to last byte.
double probe_ms(int port, const std::string& path) {
  auto start = Clock::now();
  int fd = connect_loopback(port);
  if (fd < 0) return 1e9;
  send_all(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  HttpReply reply = read_reply(fd);
  ::close(fd);
  if (reply.status != 200) return 1e9;
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The issue's bound: with 8 slow-byte clients and 200 idle kept-alive connections held open,
// the probes still answer within 100 ms (p99 of 50 each). Under the old thread-per-connection
// server they timed out.
TEST(ServeTest, ProbesAnswerPromptlyWhileSlowAndIdleClientsHoldConnections) {
  TempDir dir;
  write_config(dir);
  dir.write("workflows/w.yaml", "name: w\ntasks:\n  - {name: t, uses: builtin.noop}\n");
  Served s(dir);

  std::vector<int> idle;
  for (int i = 0; i < 200; ++i) {
    int fd = connect_loopback(s.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    ASSERT_TRUE(send_all(fd, "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(read_reply(fd).status, 200) << "connection " << i;
    idle.push_back(fd);  // kept alive, silent from now on
  }
  SlowByteClients slow(s.port(), 8);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // each has sent a byte or two

  for (const char* path : {"/livez", "/health", "/metrics"}) {
    std::vector<double> ms;
    for (int i = 0; i < 50; ++i) ms.push_back(probe_ms(s.port(), path));
    std::sort(ms.begin(), ms.end());
    double p99 = ms[static_cast<size_t>(0.99 * static_cast<double>(ms.size() - 1) + 0.5)];
    EXPECT_LT(p99, 100.0) << path << ": median " << ms[ms.size() / 2] << " ms, max " << ms.back()
                          << " ms";
  }
  for (int fd : idle) ::close(fd);
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// Requests with nothing to read are answered at once, and what is not HTTP is refused at once:
// none of them may hold a connection for a read timeout.
TEST(ServeTest, BodylessRequestsAndTlsHandshakesAreAnsweredAtOnce) {
  TempDir dir;
  write_config(dir);
  Served s(dir);
  struct Case {
    std::string request;
    int status;
  };
  // The start of a TLS 1.2 ClientHello, as a client sends it to an http:// port by mistake.
  const std::string client_hello("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11);
  const std::vector<Case> cases = {
      {"POST /no/such/route HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {"PUT /api/workflows HTTP/1.1\r\nHost: x\r\n\r\n", 405},
      {"PUT /no/such/route HTTP/1.1\r\nHost: x\r\n\r\n", 404},
      {client_hello, 400},
  };
  for (const Case& c : cases) {
    auto start = Clock::now();
    int fd = connect_loopback(s.port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(send_all(fd, c.request));
    HttpReply reply = read_reply(fd);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    std::string shown = Json(c.request).dump(-1, ' ', true, Json::error_handler_t::replace);
    EXPECT_EQ(reply.status, c.status) << shown << ": " << reply.body;
    EXPECT_TRUE(Json::parse(reply.body, nullptr, false)["error"].is_string()) << reply.body;
    // Generous for a loaded machine; the old server took 5 s or the whole read timeout.
    EXPECT_LT(ms.count(), 2000) << shown;
    if (c.request == client_hello) {
      EXPECT_THAT(reply.body, HasSubstr("this port speaks plain HTTP, not TLS"));
    }
    if (c.status == 400) {
      EXPECT_TRUE(closed_within(fd, 2000)) << "still open after garbage";
    }
    ::close(fd);
  }
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

// --- 7. Configs that cannot be served ---------------------------------------------------------

TEST(ServeTest, InvalidConfigExitsTwoWithFileLineAndColumn) {
  TempDir dir;
  dir.write("config.yaml", "workflows_dir: workflows\ncolour: blue\nlisten: \"nope\"\n");
  fs::create_directories(dir.path() / "workflows");
  ProcessResult r = run_flowweaver({"serve", "--config", "config.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("config.yaml:2:1: unknown key 'colour'"));
  EXPECT_THAT(r.err, HasSubstr("config.yaml:3:9: `listen`"));
}

TEST(ServeTest, PortAlreadyTakenExitsThreeAndSaysWhich) {
  TempDir dir;
  TakenPort taken;
  std::string address = "127.0.0.1:" + std::to_string(taken.port());
  dir.write("config.yaml", "workflows_dir: workflows\nlisten: \"" + address + "\"\n");
  fs::create_directories(dir.path() / "workflows");
  ProcessResult r = run_flowweaver({"serve", "--config", "config.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot listen on " + address));
  EXPECT_THAT(r.err, HasSubstr("Address already in use"));
}

// `flowweaver serve` execs <libexecdir>/flowweaver/flowweaver-serve; a copy of flowweaver without
// it says what is missing and where, instead of failing obscurely.
TEST(ServeTest, WithoutTheServiceExecutableServeExitsThreeNamingIt) {
  TempDir dir;
  fs::create_directories(dir.path() / "bin");
  fs::copy_file(FLOWWEAVER_BIN, dir.path() / "bin" / "flowweaver");
  std::string command =
      "cd '" + dir.path().string() + "' && bin/flowweaver serve --listen 127.0.0.1:0 2>err.txt";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  std::ifstream err(dir.path() / "err.txt");
  std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  fs::path expected = dir.path() / "libexec" / "flowweaver" / "flowweaver-serve";
  EXPECT_THAT(text, HasSubstr("cannot start the service executable " + expected.string() +
                              ": No such file or directory"));
}

// A second service started by mistake on the same port and state must fail before it resumes
// (and so runs a second time) the run the first one is executing.
TEST(ServeTest, SecondInstanceOnTheSamePortExitsThreeWithoutTouchingTheRunInProgress) {
  TempDir dir;
  write_config(dir, "grace_period: 300ms\n");
  dir.write("workflows/slow.yaml", kSlowWorkflow);
  Served first(dir);
  std::string run_id = start_slow_run(first);
  ASSERT_FALSE(run_id.empty());

  std::string address = "127.0.0.1:" + std::to_string(first.port());
  FlowWeaverProcess second({"serve", "--config", "config.yaml", "--listen", address}, dir.path());
  ProcessResult r = wait_for_exit(second, 10000);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot listen on " + address));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("resuming")));

  Json run = first.get("/api/runs/" + run_id).json();
  EXPECT_EQ(run["status"], "RUNNING") << run.dump(2);
  EXPECT_EQ(task_of(run, "b")["status"], "RUNNING") << run.dump(2);
  EXPECT_EQ(task_of(run, "b")["attempts"], 1) << run.dump(2);
  EXPECT_EQ(first.get("/livez").status, 200);
  ProcessResult stopped = first.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

TEST(ServeTest, TokenFromAFileAndSecretsHiddenFromTheApiAndTheRunLog) {
  TempDir dir;
  dir.write("token", "file-token\n");
  fs::permissions(dir.path() / "token", fs::perms::owner_read | fs::perms::owner_write);
  write_config(dir, "token_file: token\n");
  const std::string secret = "Served-S3cret-91bd";
  dir.write("workflows/w.yaml", R"(name: w
secrets: [API_TOKEN]
tasks:
  - name: leak
    uses: shell.run
    with:
      shell: true
      command: "echo ${secrets.API_TOKEN}; echo ${secrets.API_TOKEN} >&2; exit 1"
)");
  Served s(dir, {{"FLOWWEAVER_SECRET_API_TOKEN", secret}});
  EXPECT_EQ(s.post("/api/workflows/w/runs", {{"Authorization", "Bearer s3cret"}}).status, 401);
  EXPECT_EQ(s.get("/api/workflows").status, 401);
  s.always_send({{"Authorization", "Bearer file-token"}});
  std::string run_id = start_run(s, "w");
  Json run = wait_for_run(s, run_id, "FAILED");
  std::string body = s.get("/api/runs/" + run_id).body;
  EXPECT_THAT(body, HasSubstr("***"));
  EXPECT_EQ(body.find(secret), std::string::npos) << body;
  EXPECT_EQ(s.get("/api/runs?workflow=w").body.find(secret), std::string::npos);
  Reply task_log = s.get("/api/runs/" + run_id + "/tasks/leak/log");
  EXPECT_EQ(task_log.status, 200) << task_log.body;
  EXPECT_THAT(task_log.body, HasSubstr("***"));
  EXPECT_EQ(task_log.body.find(secret), std::string::npos) << task_log.body;
  ProcessResult stopped = s.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_THAT(stopped.err, HasSubstr("***"));
  EXPECT_EQ(stopped.err.find(secret), std::string::npos) << stopped.err;
  std::string run_log = read_file(dir.path() / "var" / "log" / "w" / (run_id + ".log"));
  EXPECT_THAT(run_log, HasSubstr("***"));
  EXPECT_EQ(run_log.find(secret), std::string::npos) << run_log;
  int task_logs = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "var" / "log" / "w")) {
    if (!entry.is_regular_file()) continue;
    std::string text = read_file(entry.path());
    EXPECT_EQ(text.find(secret), std::string::npos) << entry.path() << ":\n" << text;
    task_logs += entry.path().parent_path().filename() == run_id;
  }
  EXPECT_EQ(task_logs, 1);  // leak.1.log
  for (const char* file : {"var/w.db", "var/w.db-wal"}) {
    if (fs::exists(dir.path() / file)) {
      EXPECT_EQ(read_file(dir.path() / file).find(secret), std::string::npos) << file;
    }
  }
}

TEST(ServeTest, AWorldReadableTokenFileIsRefused) {
  TempDir dir;
  dir.write("token", "file-token\n");
  fs::permissions(dir.path() / "token", fs::perms::others_read, fs::perm_options::add);
  write_config(dir, "token_file: token\n");
  ProcessResult r =
      run_flowweaver({"serve", "--config", (dir.path() / "config.yaml").string()}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("config.yaml:5:13: `token_file` " + (dir.path() / "token").string() +
                               " is readable by every user"));
}

}  // namespace
}  // namespace flowweaver::testing
