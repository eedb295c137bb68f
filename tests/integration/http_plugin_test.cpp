// End-to-end runs of the real binary with the http plugin (`uses: http.request`) against a
// real HTTP server on loopback (test_http_server.h), over TLS with a CA made by the test too.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "flowweaver_process.h"
#include "test_http_server.h"

namespace flowweaver::testing {
namespace {

using nlohmann::json;

// A loopback port nothing listens on: bound by the kernel's choice, then closed.
int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ADD_FAILURE() << "cannot bind a loopback port";
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

class HttpPluginTest : public ::testing::Test {
 protected:
  // Runs `tasks` (YAML list items, indented by two) as workflow `wf`.
  ProcessResult run(const std::string& tasks) { return run_with({}, tasks); }
  ProcessResult run_with(std::vector<std::string> options, const std::string& tasks) {
    dir_.write("wf.yaml", "name: wf\ntasks:\n" + tasks);
    options.insert(options.begin(), {"run", "wf.yaml", "--no-progress"});
    // A proxy set in the environment must not carry loopback requests elsewhere.
    return run_flowweaver(options, dir_.path(), {{"no_proxy", "127.0.0.1"}});
  }
  std::string column(const std::string& column, const std::string& task) {
    return query_one(db_, "SELECT " + column + " FROM tasks WHERE task_name = '" + task + "'");
  }
  json result(const std::string& task) { return json::parse(column("result", task)); }
  int attempts(const std::string& task) { return std::stoi(column("attempt", task)); }
  // Milliseconds between the end of attempt 1 of `task` and the start of attempt 2 (rounded:
  // julianday's arithmetic turns an exact 1000 ms into 999.995).
  double gap_before_second_attempt(const std::string& task) {
    const std::string sql =
        "SELECT ROUND((julianday(b.started_at) - julianday(a.finished_at)) * 86400000.0) "
        "FROM attempts a JOIN attempts b USING (run_id, task_name) "
        "WHERE a.attempt = 1 AND b.attempt = 2 AND task_name = '";
    return std::stod(query_one(db_, sql + task + "'"));
  }

  void expect_retry_after_waited(const std::string& isolation);

  TempDir dir_;
  std::string db_ = (dir_.path() / "var" / "wf.db").string();
  TestHttpServer server_;
};

TEST_F(HttpPluginTest, AJsonResponseIsParsedIntoTheOutput) {
  ProcessResult r =
      run("  - {name: get, uses: http.request, with: {url: \"" + server_.url("/json") + "\"}}\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json out = result("get");
  EXPECT_EQ(out["status"], 200);
  EXPECT_EQ(out["json"], json::parse(R"({"hello": "world", "numbers": [1, 2, 3]})"));
  EXPECT_EQ(json::parse(out["body"].get<std::string>()), out["json"]);
  EXPECT_EQ(out["headers"]["content-type"], "application/json");
  EXPECT_EQ(out["url"], server_.url("/json"));
}

TEST_F(HttpPluginTest, MethodHeadersQueryAndJsonBodyAreSent) {
  ProcessResult r = run(R"(  - name: post
    uses: http.request
    with:
      method: post
      url: )" + server_.url("/echo?fixed=1") +
                        R"(
      headers: {X-Token: abc, X-Count: 3}
      query: {q: "a b&c", page: 2}
      json: {name: Ada, tags: [x]}
  - name: put_text
    uses: http.request
    with: {method: PUT, url: ")" +
                        server_.url("/echo") + R"(", body: "plain text"}
)");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json echo = result("post")["json"];
  EXPECT_EQ(echo["method"], "POST");
  EXPECT_EQ(echo["query"], json::parse(R"({"fixed": "1", "q": "a b&c", "page": "2"})"));
  EXPECT_EQ(echo["headers"]["x-token"], "abc");
  EXPECT_EQ(echo["headers"]["x-count"], "3");
  EXPECT_EQ(echo["headers"]["content-type"], "application/json");
  EXPECT_EQ(json::parse(echo["body"].get<std::string>()),
            json::parse(R"({"name": "Ada", "tags": ["x"]})"));
  EXPECT_EQ(result("put_text")["json"]["method"], "PUT");
  EXPECT_EQ(result("put_text")["json"]["body"], "plain text");
}

TEST_F(HttpPluginTest, A404FailsAtOnceDespiteRetries) {
  ProcessResult r =
      run("  - {name: get, uses: http.request, retries: 3, retry_delay: 10ms, "
          "with: {url: \"" +
          server_.url("/status/404") + "\"}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(column("status", "get"), "FAILED");
  EXPECT_EQ(attempts("get"), 1);
  EXPECT_NE(column("error", "get").find("returned HTTP 404 (expect_status: 2xx): \"status 404\""),
            std::string::npos)
      << column("error", "get");
}

TEST_F(HttpPluginTest, A503IsRetriedUntilTheServerRecovers) {
  ProcessResult r =
      run("  - {name: get, uses: http.request, retries: 3, retry_delay: 10ms, "
          "with: {url: \"" +
          server_.url("/flaky?key=a&fails=2&code=503") + "\"}}\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(attempts("get"), 3);
  EXPECT_EQ(result("get")["json"]["served"], 3);
  EXPECT_NE(query_one(db_, "SELECT error FROM attempts WHERE attempt = 1").find("HTTP 503"),
            std::string::npos);
}

// Retry-After: 1 must make the retry wait a second, although retry_delay asks for 10 ms.
void HttpPluginTest::expect_retry_after_waited(const std::string& isolation) {
  ProcessResult r =
      run("  - {name: get, uses: http.request, retries: 1, retry_delay: 10ms, "
          "isolation: " +
          isolation + ", with: {url: \"" +
          server_.url("/flaky?key=k&fails=1&code=429&retry_after=1") + "\"}}\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(attempts("get"), 2);
  EXPECT_GE(gap_before_second_attempt("get"), 1000.0);
}

TEST_F(HttpPluginTest, A429WithRetryAfterDelaysTheRetry) {
  expect_retry_after_waited("in-process");
}

TEST_F(HttpPluginTest, A429WithRetryAfterDelaysTheRetryOfATaskProcess) {
  expect_retry_after_waited("process");
}

TEST_F(HttpPluginTest, ATimeoutIsRetried) {
  ProcessResult r =
      run("  - {name: get, uses: http.request, retries: 1, retry_delay: 10ms, "
          "with: {timeout: 200ms, url: \"" +
          server_.url("/slow?seconds=3") + "\"}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(attempts("get"), 2);
  EXPECT_NE(column("error", "get").find("timed out after 200 ms (parameter 'timeout')"),
            std::string::npos)
      << column("error", "get");
}

// The task's own timeout cancels the call: the transfer must stop then, not when the server
// answers 10 s later (the host would wait for the call up to its 30 s grace period).
TEST_F(HttpPluginTest, ACancelledCallStopsItsTransfer) {
  auto begin = std::chrono::steady_clock::now();
  ProcessResult r = run_with({"--grace-period", "30s"},
                             "  - {name: get, uses: http.request, timeout: 300ms, with: {url: \"" +
                                 server_.url("/slow?seconds=10") + "\"}}\n");
  auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(column("error", "get"), "timeout after 300ms");
  EXPECT_LT(took, std::chrono::seconds(8)) << r.err;
  EXPECT_THAT(r.err, ::testing::Not(::testing::HasSubstr("abandon")));
}

TEST_F(HttpPluginTest, AResponseOverMaxResponseBytesFailsAtOnce) {
  ProcessResult r =
      run("  - {name: big, uses: http.request, retries: 2, retry_delay: 10ms, "
          "with: {max_response_bytes: 1000, url: \"" +
          server_.url("/big?bytes=1001") + "\"}}\n" +
          "  - {name: fits, uses: http.request, with: {max_response_bytes: 1000, "
          "url: \"" +
          server_.url("/big?bytes=1000") + "\"}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(column("status", "big"), "FAILED");
  EXPECT_EQ(attempts("big"), 1);
  EXPECT_NE(column("error", "big").find("larger than max_response_bytes (1000 bytes)"),
            std::string::npos)
      << column("error", "big");
  EXPECT_EQ(result("fits")["body"].get<std::string>().size(), 1000u);
}

TEST_F(HttpPluginTest, RedirectsAreFollowedUnlessTurnedOff) {
  ProcessResult r = run("  - {name: follow, uses: http.request, with: {url: \"" +
                        server_.url("/redirect") + "\"}}\n" +
                        "  - {name: stay, uses: http.request, with: {follow_redirects: false, "
                        "expect_status: [302], url: \"" +
                        server_.url("/redirect") + "\"}}\n" +
                        "  - {name: refused, uses: http.request, retries: 2, with: "
                        "{follow_redirects: false, url: \"" +
                        server_.url("/redirect") + "\"}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(result("follow")["status"], 200);
  EXPECT_EQ(result("follow")["url"], server_.url("/json"));
  EXPECT_EQ(result("stay")["status"], 302);
  EXPECT_EQ(result("stay")["headers"]["location"], "/json");
  EXPECT_EQ(attempts("refused"), 1);  // a 3xx outside expect_status is no passing trouble
  EXPECT_NE(column("error", "refused").find("HTTP 302"), std::string::npos);
}

TEST_F(HttpPluginTest, ARefusedConnectionIsRetried) {
  int closed_port = unused_port();
  ProcessResult r =
      run("  - {name: get, uses: http.request, retries: 2, retry_delay: 10ms, "
          "with: {url: \"http://127.0.0.1:" +
          std::to_string(closed_port) + "/json\"}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(attempts("get"), 3);
  EXPECT_NE(column("error", "get").find("onnect"), std::string::npos) << column("error", "get");
}

TEST_F(HttpPluginTest, BodyAndJsonTogetherFailAtOnce) {
  ProcessResult r = run("  - {name: both, uses: http.request, retries: 2, with: {url: \"" +
                        server_.url("/echo") + "\", body: x, json: {a: 1}}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(attempts("both"), 1);
  EXPECT_NE(column("error", "both").find("give either 'body' (text) or 'json'"), std::string::npos)
      << column("error", "both");
}

class HttpsPluginTest : public HttpPluginTest {
 protected:
  TestHttpServer::Tls tls_ = make_test_certificates(dir_.path());
  TestHttpServer https_{&tls_};
};

TEST_F(HttpsPluginTest, TheTestCaInCaFileIsTrusted) {
  ProcessResult r =
      run("  - {name: get, uses: http.request, with: {ca_file: \"" +
          (dir_.path() / "ca.pem").string() + "\", url: \"" + https_.url("/json") + "\"}}\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result("get")["json"]["hello"], "world");
}

TEST_F(HttpsPluginTest, WithoutCaFileVerificationFailsAtOnceSayingWhatToDo) {
  ProcessResult r = run("  - {name: get, uses: http.request, retries: 2, with: {url: \"" +
                        https_.url("/json") + "\"}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(attempts("get"), 1);
  std::string error = column("error", "get");
  EXPECT_NE(error.find("TLS verification failed for GET " + https_.url("/json")), std::string::npos)
      << error;
  EXPECT_NE(error.find("give that CA's PEM file in ca_file"), std::string::npos) << error;
}

TEST_F(HttpsPluginTest, AnUnreadableCaFileFailsAtOnce) {
  ProcessResult r =
      run("  - {name: get, uses: http.request, retries: 2, with: {ca_file: "
          "/nonexistent/ca.pem, url: \"" +
          https_.url("/json") + "\"}}\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(attempts("get"), 1);
  EXPECT_NE(column("error", "get").find("parameter 'ca_file': cannot read '/nonexistent/ca.pem'"),
            std::string::npos)
      << column("error", "get");
}

}  // namespace
}  // namespace flowweaver::testing
