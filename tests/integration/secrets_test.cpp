// Secrets end to end with the real binary: a declared secret reaches the task that uses it, and
// its value is found nowhere the run leaves anything (state file and its WAL, log file, the
// output of run, status and plan), in process or in a task process of its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Distinctive, and with characters JSON escapes, so an escaped form would show too.
const std::string kSecret = "Sup3r\"S3cr\\et-7f3a9c";
const std::string kEscaped = "Sup3r\\\"S3cr\\\\et-7f3a9c";

// A task that prints the secret to stdout and stderr, logs it (the shell plugin logs its command
// at debug level, with the secret spliced in), and fails its first attempt with it in the error.
std::string manifest(const std::string& isolation) {
  return R"(name: wf
secrets: [API_TOKEN]
tasks:
  - name: leak
    uses: shell.run
    isolation: )" +
         isolation + R"(
    retries: 1
    retry_delay: 10ms
    with:
      shell: true
      env: {TOKEN: "${secrets.API_TOKEN}"}
      command: >-
        printf '%s' "$TOKEN" > seen.txt; env > env.txt;
        printf 'out=%s\n' "$TOKEN"; printf 'err=%s\n' "$TOKEN" >&2;
        test "$TOKEN" = '${secrets.API_TOKEN}' || exit 3;
        if [ ! -e failed-once ]; then touch failed-once; exit 1; fi
  - name: after
    uses: builtin.echo
    depends_on: [leak]
    with: {message: "${tasks.leak.output.stdout}"}
)";
}

// Every file under `dir` (the state, its WAL, the log), whole, besides what the task wrote
// (seen.txt, env.txt).
std::string every_file(const fs::path& dir) {
  std::string all;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name == "seen.txt" || name == "env.txt") continue;
    if (e.path().extension() == ".yaml") continue;
    all += read_file(e.path());
  }
  return all;
}

void expect_hidden(const std::string& where, const std::string& text) {
  EXPECT_EQ(text.find(kSecret), std::string::npos) << where << " shows the secret";
  EXPECT_EQ(text.find(kEscaped), std::string::npos) << where << " shows the secret, escaped";
  EXPECT_EQ(text.find("S3cr"), std::string::npos) << where << " shows part of the secret";
}

void run_and_check(const std::string& isolation) {
  TempDir dir;
  dir.write("wf.yaml", manifest(isolation));
  std::map<std::string, std::string> env = {{"FLOWWEAVER_SECRET_API_TOKEN", kSecret}};
  ProcessResult run = run_flowweaver(
      {"run", "wf.yaml", "--log-level", "debug", "--log-file", "run.log"}, dir.path(), env);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(read_file(dir.path() / "seen.txt"), kSecret) << "the task got the real value";
  // The command has the secret it was given, not the host's FLOWWEAVER_SECRET_ variables.
  EXPECT_THAT(read_file(dir.path() / "env.txt"), HasSubstr("TOKEN="));
  EXPECT_EQ(read_file(dir.path() / "env.txt").find("FLOWWEAVER_SECRET_"), std::string::npos);

  std::string db = (dir.path() / "var" / "wf.db").string();
  std::vector<std::string> results =
      query_column(db, "SELECT result FROM tasks WHERE task_name = 'leak'");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0], HasSubstr(R"("stdout":"out=***\n")"));
  EXPECT_THAT(results[0], HasSubstr(R"("stderr":"err=***\n")"));
  std::vector<std::string> errors =
      query_column(db, "SELECT error FROM attempts WHERE task_name = 'leak' AND attempt = 1");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("err=***"));
  EXPECT_THAT(read_file(dir.path() / "run.log"), HasSubstr("err=***"));
  EXPECT_THAT(read_file(dir.path() / "run.log"), HasSubstr("running: "));

  ProcessResult status = run_flowweaver({"status", "--state", "var/wf.db"}, dir.path());
  ProcessResult status_json =
      run_flowweaver({"status", "--state", "var/wf.db", "--json"}, dir.path());
  ProcessResult history = run_flowweaver({"history", "--state", "var/wf.db", "--json"}, dir.path());
  ProcessResult plan = run_flowweaver({"plan", "wf.yaml", "--json"}, dir.path(), env);
  expect_hidden("run's output", run.out + run.err);
  expect_hidden("the state and log files", every_file(dir.path()));
  expect_hidden("status", status.out + status.err + status_json.out + status_json.err);
  expect_hidden("history", history.out + history.err);
  expect_hidden("plan", plan.out + plan.err);
}

TEST(SecretsTest, HiddenEverywhereInProcess) { run_and_check("in-process"); }

TEST(SecretsTest, HiddenEverywhereInATaskProcess) { run_and_check("process"); }

TEST(SecretsTest, TheCredentialsDirectoryComesBeforeTheEnvironment) {
  TempDir dir;
  dir.write("wf.yaml", manifest("in-process"));
  dir.write("credentials/API_TOKEN", kSecret + "\n");
  ProcessResult run =
      run_flowweaver({"run", "wf.yaml"}, dir.path(),
                     {{"CREDENTIALS_DIRECTORY", (dir.path() / "credentials").string()},
                      {"FLOWWEAVER_SECRET_API_TOKEN", "the-environment-value"}});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(read_file(dir.path() / "seen.txt"), kSecret);
  fs::remove_all(dir.path() / "credentials");
  expect_hidden("the state", every_file(dir.path()));
}

TEST(SecretsTest, AMissingSecretIsAValidationErrorNamingWhereItWasLookedFor) {
  TempDir dir;
  dir.write("wf.yaml", manifest("in-process"));
  for (const char* command : {"validate", "run", "plan"}) {
    ProcessResult r = run_flowweaver({command, "wf.yaml"}, dir.path(),
                                     {{"CREDENTIALS_DIRECTORY", "/nonexistent/credentials"}});
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("wf.yaml:2:11: secret 'API_TOKEN' is not set: give it in the file "
                                 "/nonexistent/credentials/API_TOKEN or in the environment "
                                 "variable FLOWWEAVER_SECRET_API_TOKEN"))
        << command;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "var")) << "nothing was run";
}

}  // namespace
}  // namespace flowweaver::testing
