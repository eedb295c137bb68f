#include "service/service_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "scratch_dir.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kDir = "/etc/fw";

ServiceConfig parse_ok(const std::string& yaml) {
  DiagnosticList d("serve.yaml");
  std::optional<ServiceConfig> c = parse_service_config(yaml, kDir, &d);
  EXPECT_TRUE(c) << d.to_string();
  EXPECT_TRUE(d.empty()) << d.to_string();
  return c.value_or(ServiceConfig{});
}

std::string parse_errors(const std::string& yaml) {
  DiagnosticList d("serve.yaml");
  EXPECT_FALSE(parse_service_config(yaml, kDir, &d)) << yaml;
  return d.to_string();
}

std::string address_error(const std::string& text) {
  std::string host = "unchanged", error;
  int port = -1;
  EXPECT_FALSE(parse_listen_address(text, &host, &port, &error)) << text;
  EXPECT_EQ(host, "unchanged");
  EXPECT_EQ(port, -1);
  return error;
}

TEST(ServiceConfigTest, DefaultsResolvedAgainstTheConfigDirectory) {
  ServiceConfig c = parse_ok("token: ''\n");
  EXPECT_EQ(c.workflows_dir, "/etc/fw/workflows");
  EXPECT_TRUE(c.plugin_dirs.empty());
  EXPECT_EQ(c.state_dir, "/etc/fw/var");
  EXPECT_EQ(c.log_dir, "/etc/fw/var/log");
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.token, "");
  EXPECT_EQ(c.max_concurrent_runs, 4);
  EXPECT_FALSE(c.max_workers);
  EXPECT_EQ(c.grace_period, Millis(30000));
  EXPECT_EQ(c.log_max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(c.log_max_files, 3);
  EXPECT_EQ(c.default_isolation, Isolation::kProcess);  // a crashing plugin cannot take it down
}

TEST(ServiceConfigTest, DefaultIsolationIsProcessOrInProcess) {
  EXPECT_EQ(parse_ok("default_isolation: in-process\n").default_isolation, Isolation::kInProcess);
  EXPECT_EQ(parse_ok("default_isolation: process\n").default_isolation, Isolation::kProcess);
  std::string errors = parse_errors("token: x\ndefault_isolation: inprocess\n");
  EXPECT_THAT(errors, HasSubstr("serve.yaml:2:20: `default_isolation` must be 'process'"));
  EXPECT_THAT(errors, HasSubstr("or 'in-process'"));
  EXPECT_THAT(errors, HasSubstr("did you mean 'in-process'?"));
}

TEST(ServiceConfigTest, ReadsEveryKey) {
  ServiceConfig c = parse_ok(R"(
workflows_dir: flows
plugin_dirs: [plugins, /opt/fw/plugins, ../shared/plugins]
state_dir: /var/lib/fw
log_dir: logs/
listen: "[::1]:0"
token: s3cret
max_concurrent_runs: 2
max_workers: 8
grace_period: 1m30s
log_max_bytes: 512KiB
log_max_files: 10
)");
  EXPECT_EQ(c.workflows_dir, "/etc/fw/flows");
  EXPECT_EQ(c.plugin_dirs, (std::vector<std::filesystem::path>{"/etc/fw/plugins", "/opt/fw/plugins",
                                                               "/etc/shared/plugins"}));
  EXPECT_EQ(c.state_dir, "/var/lib/fw");
  EXPECT_EQ(c.log_dir, "/etc/fw/logs/");
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 0);
  EXPECT_EQ(c.token, "s3cret");
  EXPECT_EQ(c.max_concurrent_runs, 2);
  EXPECT_EQ(c.max_workers, 8);
  EXPECT_EQ(c.grace_period, Millis(90000));
  EXPECT_EQ(c.log_max_bytes, 512u * 1024);
  EXPECT_EQ(c.log_max_files, 10);
  EXPECT_EQ(parse_ok("log_max_bytes: 4096\n").log_max_bytes, 4096u);
}

TEST(ServiceConfigTest, LoadsAFileAndResolvesAgainstItsDirectory) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "service_config_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "serve.yaml") << "listen: localhost:9000\nstate_dir: state\n";
  DiagnosticList d((dir / "serve.yaml").string());
  std::optional<ServiceConfig> c = load_service_config((dir / "serve.yaml").string(), &d);
  ASSERT_TRUE(c) << d.to_string();
  EXPECT_EQ(c->listen_host, "localhost");
  EXPECT_EQ(c->listen_port, 9000);
  EXPECT_EQ(c->state_dir, (dir / "state").lexically_normal());
  EXPECT_EQ(c->workflows_dir, (dir / "workflows").lexically_normal());

  DiagnosticList missing("nope.yaml");
  EXPECT_FALSE(load_service_config((dir / "nope.yaml").string(), &missing));
  EXPECT_THAT(missing.to_string(), HasSubstr("nope.yaml: cannot read the service config: "));
  DiagnosticList directory("dir");
  EXPECT_FALSE(load_service_config(dir.string(), &directory));
  EXPECT_THAT(directory.to_string(), HasSubstr("is a directory, not a service config file"));
  std::filesystem::remove_all(dir);
}

// A token file with `mode` and `content` in a fresh directory; the config names it relatively.
struct TokenFile {
  explicit TokenFile(const std::string& content, mode_t mode = 0600) {
    std::ofstream(dir.file("token")) << content;
    ::chmod(dir.file("token").c_str(), mode);
  }
  std::string errors(const std::string& yaml) {
    DiagnosticList d("serve.yaml");
    EXPECT_FALSE(parse_service_config(yaml, dir.path(), &d)) << yaml;
    return d.to_string();
  }
  testing::ScratchDir dir;
};

TEST(ServiceConfigTest, TokenFromAFileWithoutItsTrailingNewline) {
  TokenFile file("s3cret-from-file\n");
  DiagnosticList d("serve.yaml");
  std::optional<ServiceConfig> c = parse_service_config("token_file: token\n", file.dir.path(), &d);
  ASSERT_TRUE(c) << d.to_string();
  EXPECT_EQ(c->token, "s3cret-from-file");

  TokenFile crlf("abc\r\n");
  c = parse_service_config("token_file: " + crlf.dir.file("token") + "\n", "/elsewhere", &d);
  ASSERT_TRUE(c) << d.to_string();
  EXPECT_EQ(c->token, "abc");
}

TEST(ServiceConfigTest, TokenFileProblemsNameTheFile) {
  TokenFile file("x\n");
  std::string path = file.dir.file("token");
  EXPECT_THAT(file.errors("token: a\ntoken_file: token\n"),
              HasSubstr("serve.yaml:2:13: give either `token` or `token_file`, not both"));
  EXPECT_THAT(
      file.errors("token_file: missing\n"),
      HasSubstr("serve.yaml:1:13: `token_file` " + file.dir.file("missing") + " does not exist"));
  EXPECT_THAT(file.errors("token_file: ''\n"), HasSubstr("`token_file` must not be empty"));
  EXPECT_THAT(file.errors("token_file: .\n"), HasSubstr("is a directory, not a file"));

  TokenFile empty("\n");
  EXPECT_THAT(empty.errors("token_file: token\n"),
              HasSubstr("`token_file` " + empty.dir.file("token") + " is empty"));

  TokenFile world_readable("x\n", 0644);
  EXPECT_THAT(world_readable.errors("token_file: token\n"),
              HasSubstr(" is readable by every user: make it private (chmod o-r "));
}

TEST(ServiceConfigTest, StateInADatabaseWithItsPasswordFromAFileOrASecret) {
  EXPECT_EQ(parse_ok("token: ''\n").state_url, "");  // state_dir's files
  EXPECT_EQ(parse_ok("state: postgresql://fw@db/flows\n").state_url, "postgresql://fw@db/flows");

  TokenFile file("p@ss w#rd\n");
  DiagnosticList d("serve.yaml");
  std::optional<ServiceConfig> c = parse_service_config(
      "state: postgres://fw@db/flows?sslmode=require\nstate_password_file: token\n",
      file.dir.path(), &d);
  ASSERT_TRUE(c) << d.to_string();
  // Percent-encoded: a '#' or '&' in a password would otherwise end the URL's query.
  EXPECT_EQ(c->state_url, "postgres://fw@db/flows?sslmode=require&password=p%40ss%20w%23rd");

  ::setenv("FLOWWEAVER_SECRET_FW_TEST_PG", "from-env", 1);
  c = parse_service_config(
      "state: postgresql://fw@db/flows\nstate_password: ${secrets.FW_TEST_PG}\n", "/etc", &d);
  ::unsetenv("FLOWWEAVER_SECRET_FW_TEST_PG");
  ASSERT_TRUE(c) << d.to_string();
  EXPECT_EQ(c->state_url, "postgresql://fw@db/flows?password=from-env");
}

TEST(ServiceConfigTest, StateProblemsSayWhatToWriteInstead) {
  EXPECT_THAT(parse_errors("state: var/flows.db\n"),
              HasSubstr("serve.yaml:1:8: `state` must be a database URL such as "
                        "postgresql://flowweaver@db/flowweaver; for state files in a directory, "
                        "set `state_dir` instead"));
  EXPECT_THAT(parse_errors("state: mysql://db/x\n"), HasSubstr("must be a database URL"));
  EXPECT_THAT(parse_errors("state: postgresql://db/x#etl\n"),
              HasSubstr("`state` must not end in #NAME"));
  EXPECT_THAT(parse_errors("state_password_file: pw\n"),
              HasSubstr("serve.yaml:1:22: a state password needs `state: postgresql://"));
  EXPECT_THAT(parse_errors("state: postgresql://db/x\nstate_password: hunter2\n"),
              HasSubstr("serve.yaml:2:17: `state_password` must be a secret reference such as "
                        "${secrets.PG_PASSWORD}"));
  ::unsetenv("FLOWWEAVER_SECRET_FW_TEST_MISSING");
  EXPECT_THAT(
      parse_errors("state: postgresql://db/x\nstate_password: ${secrets.FW_TEST_MISSING}\n"),
      HasSubstr("`state_password`: secret 'FW_TEST_MISSING' is not set: give it in the file"));
  EXPECT_THAT(parse_errors("state: postgresql://db/x\nstate_password: ${secrets.A}\n"
                           "state_password_file: pw\n"),
              HasSubstr("give either `state_password` or `state_password_file`, not both"));
  TokenFile file("pw\n");
  EXPECT_THAT(file.errors("state: postgresql://fw:old@db/x\nstate_password_file: token\n"),
              HasSubstr("holds a password already: give it in one place only"));
  TokenFile world_readable("x\n", 0644);
  EXPECT_THAT(world_readable.errors("state: postgresql://db/x\nstate_password_file: token\n"),
              HasSubstr("`state_password_file` " + world_readable.dir.file("token") +
                        " is readable by every user"));
}

TEST(ServiceConfigTest, HostIdDefaultsToHostnameAndPidAndIsChecked) {
  std::string id = parse_ok("token: ''\n").host_id;
  EXPECT_THAT(id, ::testing::EndsWith("-" + std::to_string(::getpid())));
  EXPECT_EQ(parse_ok("host_id: web-1.eu_west\n").host_id, "web-1.eu_west");
  EXPECT_THAT(parse_errors("host_id: 'web 1'\n"),
              HasSubstr("serve.yaml:1:10: `host_id` 'web 1' must be 1 to 64 letters, digits, "
                        "'.', '_' or '-'"));
  EXPECT_THAT(parse_errors("host_id: ''\n"), HasSubstr("must be 1 to 64 letters"));
}

TEST(ServiceConfigTest, ClusterWorkersAndLeaseNeedADatabaseStateAndSaneValues) {
  const std::string state = "state: postgresql://fw@db/flow\n";
  ServiceConfig c = parse_ok(state + "cluster_workers: 3\nlease: 2s\n");
  EXPECT_EQ(c.cluster_workers, 3);
  EXPECT_EQ(c.lease, Millis(2000));
  EXPECT_EQ(parse_ok(state).lease, Millis(10000));
  EXPECT_GE(parse_ok(state).cluster_workers, 1);
  EXPECT_THAT(parse_errors("cluster_workers: 2\n"),
              HasSubstr("serve.yaml:1:18: `cluster_workers` and `lease` need `state: "
                        "postgresql://USER@HOST/DB`"));
  EXPECT_THAT(parse_errors("lease: 5s\n"), HasSubstr("serve.yaml:1:8: `cluster_workers` and"));
  EXPECT_THAT(parse_errors(state + "lease: 100ms\n"),
              HasSubstr("serve.yaml:2:8: `lease` must be between 300ms and 1h"));
  EXPECT_THAT(parse_errors(state + "lease: 2h\n"), HasSubstr("must be between 300ms and 1h"));
  EXPECT_THAT(parse_errors(state + "cluster_workers: 0\n"), HasSubstr("serve.yaml:2:18:"));
}

TEST(ServiceConfigTest, EmptyFileAndNonMapRoot) {
  EXPECT_THAT(parse_errors(""), HasSubstr("serve.yaml:1:1: the service config is empty"));
  EXPECT_THAT(parse_errors("# only a comment\n"), HasSubstr("the service config is empty"));
  EXPECT_THAT(parse_errors("- listen: 1\n"),
              HasSubstr("serve.yaml:1:1: the service config must be a map of settings"));
  EXPECT_THAT(parse_errors("listen\n"), HasSubstr("must be a map of settings"));
}

TEST(ServiceConfigTest, InvalidYamlAndUtf8) {
  // The unclosed '[' itself, not the end of the file where libyaml noticed it.
  EXPECT_THAT(parse_errors("listen: [\n"),
              HasSubstr("serve.yaml:1:9: invalid YAML: this '[' is never closed"));
  // Not the rest of the file taken into the token.
  EXPECT_THAT(parse_errors("token: \"x\nlisten: localhost:1\n"),
              HasSubstr("serve.yaml:1:8: invalid YAML: unterminated double-quoted string: close "
                        "the quote"));
  EXPECT_THAT(parse_errors("listen: localhost:1\n---\ntoken: x\n"),
              HasSubstr("serve.yaml:2:1: a service config is one YAML document; a second one "
                        "starts here"));
  EXPECT_THAT(parse_errors("token: caf\xe9\n"),
              HasSubstr("serve.yaml:1:11: the file is not valid UTF-8 (byte 0xE9)"));
}

TEST(ServiceConfigTest, UnknownAndDuplicateKeys) {
  std::string errors = parse_errors("listen: localhost:1\nmax_worker: 2\nlisten: localhost:2\n");
  EXPECT_THAT(errors, HasSubstr("serve.yaml:2:1: unknown key 'max_worker' in the service config "
                                "(did you mean 'max_workers'?)"));
  EXPECT_THAT(errors, HasSubstr("serve.yaml:3:1: duplicate key 'listen' (first given at line 1)"));
}

TEST(ServiceConfigTest, WrongTypes) {
  std::string errors = parse_errors(R"(workflows_dir: [a]
plugin_dirs: plugins
state_dir: null
token: {a: 1}
max_concurrent_runs: many
max_workers: 2.5
listen: 8080
grace_period: [1]
log_max_files: "3"
)");
  EXPECT_THAT(errors, HasSubstr(":1:16: `workflows_dir` must be a string"));
  EXPECT_THAT(errors, HasSubstr(":2:14: `plugin_dirs` must be a list of directories"));
  EXPECT_THAT(errors, HasSubstr(":3:12: `state_dir` must be a string"));
  EXPECT_THAT(errors, HasSubstr(":4:8: `token` must be a string"));
  EXPECT_THAT(errors, HasSubstr(":5:22: `max_concurrent_runs` must be a whole number"));
  EXPECT_THAT(errors, HasSubstr(":6:14: `max_workers` must be a whole number"));
  EXPECT_THAT(errors, HasSubstr(":7:9: `listen` must be a string"));
  EXPECT_THAT(errors, HasSubstr(":8:15: `grace_period`: this value is not a duration"));
  EXPECT_THAT(errors, HasSubstr(":9:16: `log_max_files` must be a whole number"));
  EXPECT_THAT(parse_errors("plugin_dirs: [ok, 3, '']\n"),
              HasSubstr(":1:19: `plugin_dirs` must be a string"));
  EXPECT_THAT(parse_errors("plugin_dirs: [ok, '']\n"),
              HasSubstr(":1:19: `plugin_dirs` must not be empty"));
  EXPECT_THAT(parse_errors("log_dir: ''\n"), HasSubstr(":1:10: `log_dir` must not be empty"));
}

TEST(ServiceConfigTest, NumbersOutOfRange) {
  std::string errors = parse_errors(R"(max_concurrent_runs: 0
max_workers: 1025
log_max_files: 0
log_max_bytes: 100B
)");
  EXPECT_THAT(errors, HasSubstr(":1:22: `max_concurrent_runs` must be between 1 and 1024"));
  EXPECT_THAT(errors, HasSubstr(":2:14: `max_workers` must be between 1 and 1024"));
  EXPECT_THAT(errors, HasSubstr(":3:16: `log_max_files` must be between 1 and 1000"));
  EXPECT_THAT(errors, HasSubstr(":4:16: `log_max_bytes` must be at least 1KiB"));
  EXPECT_THAT(parse_errors("max_workers: 99999999999999999999\n"),
              HasSubstr(":1:14: integer '99999999999999999999' is out of range"));
}

TEST(ServiceConfigTest, BadListenAddressDurationAndSize) {
  std::string errors = parse_errors(R"(listen: "localhost:99999"
grace_period: 30
log_max_bytes: 10 megabytes
)");
  EXPECT_THAT(errors, HasSubstr(":1:9: `listen`: 'localhost:99999': port '99999' must be a number "
                                "from 0 to 65535"));
  EXPECT_THAT(errors, HasSubstr(":2:15: `grace_period`: '30' is not a duration"));
  EXPECT_THAT(errors, HasSubstr(":3:16: `log_max_bytes`: '10 megabytes' is not a size"));
}

TEST(ServiceConfigTest, ListenAddresses) {
  std::string host, error;
  int port = -1;
  ASSERT_TRUE(parse_listen_address("127.0.0.1:8080", &host, &port, &error)) << error;
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(parse_listen_address("[::1]:8080", &host, &port, &error)) << error;
  EXPECT_EQ(host, "::1");
  ASSERT_TRUE(parse_listen_address("localhost:0", &host, &port, &error)) << error;
  EXPECT_EQ(host, "localhost");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(parse_listen_address("0.0.0.0:65535", &host, &port, &error)) << error;
  ASSERT_TRUE(parse_listen_address("fw-1.example.com:80", &host, &port, &error)) << error;
  ASSERT_TRUE(parse_listen_address("[::]:80", &host, &port, &error)) << error;
  EXPECT_EQ(host, "::");

  EXPECT_EQ(address_error(""), "missing the port: write HOST:PORT, e.g. 127.0.0.1:8080");
  EXPECT_EQ(address_error("localhost"), "missing the port: write HOST:PORT, e.g. 127.0.0.1:8080");
  EXPECT_THAT(address_error(":8080"), HasSubstr("missing the host"));
  EXPECT_EQ(address_error("localhost:"), "port '' must be a number from 0 to 65535");
  EXPECT_EQ(address_error("localhost:http"), "port 'http' must be a number from 0 to 65535");
  EXPECT_EQ(address_error("localhost:-1"), "port '-1' must be a number from 0 to 65535");
  EXPECT_EQ(address_error("localhost:65536"), "port '65536' must be a number from 0 to 65535");
  EXPECT_EQ(address_error("::1:8080"), "an IPv6 address needs brackets, e.g. [::1]:8080");
  EXPECT_EQ(address_error("[::1:8080"), "missing ']' after the IPv6 address");
  EXPECT_EQ(address_error("[::1]"), "missing ':PORT' after ']'");
  EXPECT_EQ(address_error("[nope]:80"), "'nope' is not an IPv6 address");
  EXPECT_EQ(address_error("999.1.1.1:80"), "'999.1.1.1' is not an IPv4 address");
  EXPECT_EQ(address_error("1.2.3:80"), "'1.2.3' is not an IPv4 address");
  EXPECT_EQ(address_error("bad_host:80"), "'bad_host' is not a valid host name");
  EXPECT_EQ(address_error("-lead.example:80"), "'-lead.example' is not a valid host name");
  EXPECT_EQ(address_error("a..b:80"), "'a..b' is not a valid host name");
}

}  // namespace
}  // namespace flowweaver

namespace flowweaver {
namespace {

TEST(ServiceConfigTest, PoolsAreSlotCountsByName) {
  ServiceConfig c = parse_ok("pools: {warehouse: 2, api-calls: 10}\n");
  EXPECT_EQ(c.pools, (std::map<std::string, int>{{"warehouse", 2}, {"api-calls", 10}}));
  EXPECT_TRUE(parse_ok("listen: localhost:1\n").pools.empty());
}

TEST(ServiceConfigTest, BadPoolsPointAtTheValue) {
  EXPECT_THAT(parse_errors("pools: [warehouse]\n"),
              HasSubstr("serve.yaml:1:8: `pools` must be a map of pool names to slot counts"));
  EXPECT_THAT(parse_errors("pools: {warehouse: 0}\n"),
              HasSubstr("serve.yaml:1:20: `pools: warehouse` must be between 1 and 100000"));
  EXPECT_THAT(parse_errors("pools: {warehouse: two}\n"),
              HasSubstr("serve.yaml:1:20: `pools: warehouse`"));
  EXPECT_THAT(parse_errors("pools: {'ware house': 2}\n"),
              HasSubstr("serve.yaml:1:9: pool name 'ware house' may contain only letters"));
}

}  // namespace
}  // namespace flowweaver
