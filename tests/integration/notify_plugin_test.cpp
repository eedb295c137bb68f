// End-to-end runs of the real binary with the notify plugin against real servers on loopback:
// an HTTP server (python3 http.server) for notify.webhook, an SMTP server (aiosmtpd) for
// notify.email.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "flowweaver_process.h"
#include "script_server.h"

namespace flowweaver::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string db_of(const TempDir& dir) { return (dir.path() / "var" / "wf.db").string(); }

std::string task_column(const TempDir& dir, const std::string& column, const std::string& task) {
  return query_one(db_of(dir), "SELECT " + column + " FROM tasks WHERE task_name = '" + task + "'");
}

json result_of(const TempDir& dir, const std::string& task) {
  return json::parse(task_column(dir, "result", task));
}

std::string url_of(const ScriptServer& server) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + "/hook";
}

TEST(NotifyWebhookTest, TextPostsTheSlackPresetWithReferencesAndSecretsResolved) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {"--body", "ok"}, dir.path());
  dir.write("wf.yaml", R"(name: wf
secrets: [HOOK_TOKEN]
tasks:
  - name: count
    uses: builtin.echo
    with: {rows: 42}
  - name: tell
    uses: notify.webhook
    depends_on: [count]
    with:
      url: )" + url_of(server) +
                           R"(
      text: "${workflow.name} loaded ${tasks.count.output.rows} rows \"today\""
      headers: {Authorization: "Bearer ${secrets.HOOK_TOKEN}"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(),
                                   {{"FLOWWEAVER_SECRET_HOOK_TOKEN", "s3cret-token"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<json> posts = server.records();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0]["path"], "/hook");
  EXPECT_EQ(json::parse(posts[0]["body"].get<std::string>()),
            json({{"text", "wf loaded 42 rows \"today\""}}));
  EXPECT_EQ(posts[0]["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(posts[0]["headers"]["Authorization"], "Bearer s3cret-token");
  EXPECT_EQ(result_of(dir, "tell"), json({{"status", 200}, {"response", "ok"}, {"attempts", 1}}));
}

// Under `flowweaver serve` tasks run in a child process by default: the plugin works there too.
TEST(NotifyWebhookTest, PostsFromATaskProcess) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {}, dir.path());
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: tell
    uses: notify.webhook
    isolation: process
    with: {url: )" + url_of(server) +
                           R"(, payload: {n: 1}}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(server.records().size(), 1u);
  EXPECT_EQ(json::parse(server.records()[0]["body"].get<std::string>()), json({{"n", 1}}));
}

// "Alert me when the nightly job fails": an on_failure handler posts the run's outcome.
TEST(NotifyWebhookTest, AnOnFailureHandlerPostsThePayloadWhenTheRunFails) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {}, dir.path());
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: nightly
    uses: builtin.fail
    with: {permanent: true, message: disk full}
on_failure:
  - name: alert
    uses: notify.webhook
    with:
      url: )" + url_of(server) +
                           R"(
      payload:
        workflow: ${workflow.name}
        status: ${run.status}
        failed: ${run.failed_tasks}
        attempts: [1, 2]
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::vector<json> posts = server.records();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(
      json::parse(posts[0]["body"].get<std::string>()),
      json(
          {{"workflow", "wf"}, {"status", "failed"}, {"failed", "nightly"}, {"attempts", {1, 2}}}));
  EXPECT_EQ(task_column(dir, "status", "alert"), "COMPLETED");
}

TEST(NotifyWebhookTest, ABusyServerIsTriedAgainWithinTheCall) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {"--statuses", "503,429,200"}, dir.path());
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: tell
    uses: notify.webhook
    with: {url: )" + url_of(server) +
                           R"(, text: hi, retry_delay: 10ms})");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.records().size(), 3u);
  EXPECT_EQ(result_of(dir, "tell")["attempts"], 3);
  EXPECT_EQ(task_column(dir, "attempt", "tell"), "1");  // one call of the task did it all
  EXPECT_THAT(r.err, HasSubstr("answered HTTP 503: ok; trying again in 10ms (attempt 2 of 3)"));
  EXPECT_THAT(r.err, HasSubstr("answered HTTP 429: ok; trying again in 20ms (attempt 3 of 3)"));
}

TEST(NotifyWebhookTest, ARetryAfterLongerThanTheOwnDelayIsHonoured) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {"--statuses", "429,200", "--retry-after", "1"},
                      dir.path());
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: tell
    uses: notify.webhook
    with: {url: )" + url_of(server) +
                           R"(, text: hi, retry_delay: 10ms})");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.records().size(), 2u);
  EXPECT_THAT(r.err, HasSubstr("answered HTTP 429: ok; trying again in 1000ms (as its Retry-After "
                               "asks) (attempt 2 of 3)"));
}

TEST(NotifyWebhookTest, AClientErrorFailsForGoodWithTheServersAnswer) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {"--statuses", "404", "--body", "no such hook"},
                      dir.path());
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: tell
    uses: notify.webhook
    retries: 2
    retry_delay: 10ms
    with: {url: )" + url_of(server) +
                           R"(, text: hi, retry_delay: 10ms})");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(server.records().size(), 1u);
  EXPECT_EQ(task_column(dir, "error", "tell"),
            "POST " + url_of(server) + " answered HTTP 404: no such hook (not retried)");
  EXPECT_EQ(task_column(dir, "attempt", "tell"), "1");
}

// A chat webhook's URL is itself the credential: given as a secret, it is masked in the error.
TEST(NotifyWebhookTest, AUrlGivenAsASecretIsMaskedInTheError) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {"--statuses", "403", "--body", "invalid token"},
                      dir.path());
  dir.write("wf.yaml", R"(name: wf
secrets: [HOOK_URL]
tasks:
  - name: tell
    uses: notify.webhook
    with: {url: "${secrets.HOOK_URL}", text: hi}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(),
                                   {{"FLOWWEAVER_SECRET_HOOK_URL", url_of(server)}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(server.records().size(), 1u);
  EXPECT_EQ(task_column(dir, "error", "tell"),
            "POST *** answered HTTP 403: invalid token (not retried)");
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr(url_of(server))));
}

TEST(NotifyWebhookTest, NoServerIsRetryableAndTheTasksRetriesApplyAfterTheAttemptsWithin) {
  TempDir dir;
  std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/hook";
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: tell
    uses: notify.webhook
    retries: 1
    retry_delay: 10ms
    with: {url: ")" + url + R"(", text: hi, attempts: 2, retry_delay: 10ms})");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string error = task_column(dir, "error", "tell");
  EXPECT_THAT(error, HasSubstr("POST " + url + " failed: "));
  EXPECT_THAT(error, HasSubstr("(gave up after 2 attempt(s))"));
  EXPECT_EQ(task_column(dir, "attempt", "tell"), "2");
}

// A try that outlasts `timeout` is retryable; the task's own timeout stops the call at once,
// with no further tries.
TEST(NotifyWebhookTest, ASlowServerTimesOutEachTryAndTheTasksTimeoutEndsTheCall) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {"--delay-ms", "3000"}, dir.path());
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: per_try
    uses: notify.webhook
    with: {url: )" + url_of(server) +
                           R"(, text: hi, timeout: 100ms, attempts: 2, retry_delay: 10ms}
  - name: whole_task
    uses: notify.webhook
    depends_on: [per_try]
    trigger_rule: all_done
    timeout: 200ms
    with: {url: )" + url_of(server) +
                           R"(, text: hi, attempts: 5, retry_delay: 10ms}
)");
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(task_column(dir, "error", "per_try"), HasSubstr("timed out after"));
  EXPECT_THAT(task_column(dir, "error", "per_try"), HasSubstr("(gave up after 2 attempt(s))"));
  EXPECT_THAT(task_column(dir, "error", "whole_task"), HasSubstr("timeout after 200ms"));
  // Far below the 5 tries of 10 s each that ignoring the cancellation would take.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8));
}

TEST(NotifyWebhookTest, BadParametersFailAtOnceBeforeAnyRequest) {
  TempDir dir;
  ScriptServer server("webhook_server.py", {}, dir.path());
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: neither
    uses: notify.webhook
    retries: 2
    with: {url: )" + url_of(server) +
                           R"(}
  - name: not_json
    uses: notify.webhook
    with: {url: )" + url_of(server) +
                           R"(, payload: "{oops"}
  - name: not_http
    uses: notify.webhook
    with: {url: "ftp://127.0.0.1/", text: hi}
  - name: zero_attempts
    uses: notify.webhook
    with: {url: )" + url_of(server) +
                           R"(, text: hi, attempts: 0}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(server.records().empty());
  EXPECT_THAT(task_column(dir, "error", "neither"), HasSubstr("give exactly one of 'payload'"));
  EXPECT_EQ(task_column(dir, "attempt", "neither"), "1");
  EXPECT_THAT(task_column(dir, "error", "not_json"),
              HasSubstr("parameter 'payload' is a string that is not JSON"));
  EXPECT_THAT(task_column(dir, "error", "not_http"),
              HasSubstr("parameter 'url' must start with http:// or https://"));
  EXPECT_THAT(task_column(dir, "error", "zero_attempts"),
              HasSubstr("parameter 'attempts' must be from 1 to 100, but is 0"));
}

TEST(NotifyWebhookTest, ValidateChecksTheDeclaredParameters) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: tell
    uses: notify.webhook
    with: {text: hi, atempts: 2, timeout: soon}
)");
  ProcessResult r = run_flowweaver({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("'url'"));
  EXPECT_THAT(r.err, HasSubstr("'atempts'"));
  EXPECT_THAT(r.err, HasSubstr("attempts"));
  EXPECT_THAT(r.err, HasSubstr("'timeout'"));
}

}  // namespace
}  // namespace flowweaver::testing
