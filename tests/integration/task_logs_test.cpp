// Logs and progress as operators see them, through the real binary: per-task log files written
// as tasks run, `flowweaver logs` (and its errors), the live progress line on a terminal (run
// under a pseudo-terminal) and its absence on a pipe, and `status --watch` of a run in another
// process.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// A shell task that talks on both streams, then waits a while before its last line.
constexpr const char* kTalkingWorkflow = R"(name: wf
tasks:
  - name: talk
    uses: shell.run
    with: {shell: true, command: "echo first; echo oops >&2; sleep 2; echo second"}
  - {name: quiet, uses: builtin.noop}
)";

// The one run directory under var/log/wf (empty path while there is none).
fs::path run_log_dir(const TempDir& dir) {
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir.path() / "var/log/wf", ec)) {
    if (e.is_directory()) return e.path();
  }
  return {};
}

TEST(TaskLogsTest, AShellTaskLinesReachItsLogWhileItRunsAndLogsFollowsToTheEnd) {
  TempDir dir;
  dir.write("wf.yaml", kTalkingWorkflow);
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  fs::path log;
  ASSERT_TRUE(wait_until([&] {
    fs::path run_dir = run_log_dir(dir);
    if (run_dir.empty()) return false;
    log = run_dir / "talk.1.log";
    return read_file(log).find("stdout: first") != std::string::npos;
  }));
  // Written as it came: the command has not printed its last line yet.
  EXPECT_THAT(read_file(log), Not(HasSubstr("stdout: second")));
  EXPECT_THAT(read_file(log), HasSubstr(" debug stderr: oops\n"));

  ProcessResult followed = run_flowweaver({"logs", "wf.yaml", "talk", "--follow"}, dir.path());
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  EXPECT_THAT(followed.out, HasSubstr("stdout: first\n"));
  EXPECT_THAT(followed.out, HasSubstr("stdout: second\n"));
  ProcessResult ran = run.wait();
  ASSERT_EQ(ran.exit_code, 0) << ran.err;

  ProcessResult quiet = run_flowweaver({"logs", "wf", "quiet"}, dir.path());
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_THAT(quiet.err, HasSubstr("task 'quiet' logged nothing in attempt 1 of run "));

  // By workflow name as well as by manifest, and by run id and attempt.
  ProcessResult by_name = run_flowweaver(
      {"logs", "wf", "talk", "--run", log.parent_path().filename().string(), "--attempt", "1"},
      dir.path());
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_EQ(by_name.out, read_file(log));
}

TEST(TaskLogsTest, AProcessIsolatedTaskAndARetriedOneLogIntoTheirAttemptsFiles) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: apart
    uses: shell.run
    isolation: process
    with: {command: [echo, isolated]}
  - name: flaky
    uses: shell.run
    retries: 1
    retry_delay: 10ms
    with: {shell: true, command: "if [ -e tried ]; then echo second try; else touch tried; echo first try; exit 3; fi"}
)");
  ProcessResult ran = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_THAT(run_flowweaver({"logs", "wf", "apart"}, dir.path()).out,
              HasSubstr(" debug stdout: isolated\n"));
  ProcessResult latest = run_flowweaver({"logs", "wf", "flaky"}, dir.path());
  EXPECT_THAT(latest.out, HasSubstr("stdout: second try\n"));
  EXPECT_THAT(latest.out, Not(HasSubstr("stdout: first try")));
  ProcessResult first = run_flowweaver({"logs", "wf", "flaky", "--attempt", "1"}, dir.path());
  EXPECT_THAT(first.out, HasSubstr("stdout: first try\n"));
}

TEST(TaskLogsTest, OutputWithoutLineBreaksIsLoggedInPiecesAndTheLastPartialLineToo) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: long
    uses: shell.run
    with: {shell: true, command: "head -c 70000 /dev/zero | tr '\\0' x; printf '\\nend'"}
  # The line's end comes in a later read than most of it: the bound holds across reads.
  - name: late
    uses: shell.run
    with: {shell: true, command: "head -c 60000 /dev/zero | tr '\\0' y; s=$(head -c 1000 /dev/zero | tr '\\0' y); sleep 0.3; printf '%s\\n' $s$s$s$s$s$s$s$s$s$s"}
)");
  ProcessResult ran = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  std::string log = run_flowweaver({"logs", "wf", "long"}, dir.path()).out;
  EXPECT_THAT(log, HasSubstr(" debug stdout: " + std::string(65536, 'x') + "\n"));
  EXPECT_THAT(log, HasSubstr(" debug stdout: " + std::string(70000 - 65536, 'x') + "\n"));
  EXPECT_THAT(log, HasSubstr(" debug stdout: end\n"));
  std::string late = run_flowweaver({"logs", "wf", "late"}, dir.path()).out;
  EXPECT_THAT(late, HasSubstr(" debug stdout: " + std::string(65536, 'y') + "\n"));
  EXPECT_THAT(late, HasSubstr(" debug stdout: " + std::string(70000 - 65536, 'y') + "\n"));
}

TEST(TaskLogsTest, LogsSaysClearlyWhatIsNotThere) {
  TempDir dir;
  dir.write("wf.yaml", kTalkingWorkflow);
  ProcessResult none = run_flowweaver({"logs", "wf", "talk"}, dir.path());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("no state for workflow 'wf' at var/wf.db"));

  ASSERT_EQ(run_flowweaver({"run", "wf.yaml", "--log-dir", ""}, dir.path()).exit_code, 0);
  ProcessResult no_file = run_flowweaver({"logs", "wf.yaml", "talk"}, dir.path());
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_THAT(no_file.err, HasSubstr("error: no log file var/log/wf/"));
  EXPECT_THAT(no_file.err, HasSubstr("talk.1.log for attempt 1 of task 'talk'"));

  ProcessResult task = run_flowweaver({"logs", "wf.yaml", "tlak"}, dir.path());
  EXPECT_EQ(task.exit_code, 2);
  EXPECT_THAT(task.err, HasSubstr("no task 'tlak' in run "));
  EXPECT_THAT(task.err, HasSubstr("(did you mean 'talk'?)"));

  ProcessResult attempt = run_flowweaver({"logs", "wf.yaml", "talk", "--attempt", "3"}, dir.path());
  EXPECT_EQ(attempt.exit_code, 2);
  EXPECT_THAT(attempt.err, HasSubstr("task 'talk' has no attempt 3 in run "));
  EXPECT_THAT(attempt.err, HasSubstr("it made only attempt 1"));

  ProcessResult workflow = run_flowweaver({"logs", "wff", "talk"}, dir.path());
  EXPECT_EQ(workflow.exit_code, 2);
  EXPECT_THAT(workflow.err,
              HasSubstr("no state for workflow 'wff' at var/wff.db (did you mean 'wf'?)"));

  ProcessResult run = run_flowweaver({"logs", "wf", "talk", "--run", "../etc"}, dir.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("no run '../etc' of 'wf'"));
}

// Runs the binary with a pseudo-terminal as its stdin, stdout and stderr; returns all it wrote.
struct TerminalResult {
  int exit_code = -1;
  std::string text;
};

TerminalResult run_on_terminal(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv_strings = {FLOWWEAVER_BIN};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  int master = -1;
  struct winsize size = {24, 120, 0, 0};
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::setenv("FLOWWEAVER_PLUGIN_PATH", FLOWWEAVER_PLUGIN_DIR, 1);
    ::setenv("TERM", "xterm", 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  TerminalResult result;
  if (pid < 0) return result;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n > 0) {
      result.text.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO once the child and its descendants closed the terminal
    }
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

constexpr const char* kProgressWorkflow = R"(name: wf
tasks:
  - {name: a, uses: builtin.sleep, with: {duration: 400ms}}
  - {name: b, uses: builtin.fail, with: {permanent: true, message: "broken pipe fitting"}, depends_on: [a]}
  - {name: c, uses: builtin.sleep, with: {duration: 400ms}}
)";

TEST(ProgressTest, OnATerminalRunRedrawsOneProgressLineAndStillShowsTheFailure) {
  TempDir dir;
  dir.write("wf.yaml", kProgressWorkflow);
  TerminalResult r = run_on_terminal({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.text;
  EXPECT_THAT(r.text, HasSubstr("\r\x1b[K0/3 done, "));  // redrawn in place
  EXPECT_THAT(r.text, HasSubstr("running, 0 failed"));
  // The failed task's own line, above the progress line.
  EXPECT_THAT(r.text, HasSubstr("task=b FAILED: broken pipe fitting"));
  // The final line is left printed, then the usual summary.
  EXPECT_THAT(r.text, HasSubstr("3/3 done, 0 running, 1 failed, "));
  size_t final_line = r.text.rfind("3/3 done");
  EXPECT_THAT(r.text.substr(final_line), HasSubstr("FAILED"));
  // The info lines of every start and finish are not scrolled past.
  EXPECT_THAT(r.text, Not(HasSubstr("task=a attempt=1 started")));
}

TEST(ProgressTest, OnAPipeRunPrintsItsLogLinesAndNoProgressLine) {
  TempDir dir;
  dir.write("wf.yaml", kProgressWorkflow);
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path(), {{"TERM", "xterm"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("task=a attempt=1 started"));
  EXPECT_THAT(r.err, Not(HasSubstr("\r")));
  EXPECT_THAT(r.err, Not(HasSubstr(" done, ")));
}

TEST(ProgressTest, StatusWatchFollowsARunOfAnotherProcessUntilItEnds) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.sleep, with: {duration: 1500ms}}
  - {name: b, uses: builtin.noop, depends_on: [a]}
)");
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until(
      [&] { return run.stderr_so_far().find("task=a attempt=1 started") != std::string::npos; }));
  ProcessResult watched = run_flowweaver({"status", "wf.yaml", "--watch"}, dir.path());
  EXPECT_EQ(watched.exit_code, 0) << watched.err;
  EXPECT_THAT(watched.err, HasSubstr("0/2 done, 1 running, 0 failed\n"));
  EXPECT_THAT(watched.err, HasSubstr("2/2 done, 0 running, 0 failed\n"));
  EXPECT_THAT(watched.err, Not(HasSubstr("\r")));
  EXPECT_THAT(watched.out, HasSubstr(": COMPLETED"));
  EXPECT_EQ(run.wait().exit_code, 0);

  TerminalResult on_terminal = run_on_terminal({"status", "wf.yaml", "--watch"}, dir.path());
  EXPECT_EQ(on_terminal.exit_code, 0) << on_terminal.text;
  EXPECT_THAT(on_terminal.text, HasSubstr("\r\x1b[K2/2 done, 0 running, 0 failed, "));
}

TEST(ProgressTest, StatusWatchOfAFailedRunExitsOne) {
  TempDir dir;
  dir.write("wf.yaml", kProgressWorkflow);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  ProcessResult watched = run_flowweaver({"status", "wf.yaml", "--watch"}, dir.path());
  EXPECT_EQ(watched.exit_code, 1);
  EXPECT_THAT(watched.err, HasSubstr("3/3 done, 0 running, 1 failed\n"));
  EXPECT_THAT(watched.out, HasSubstr(": FAILED"));
}

}  // namespace
}  // namespace flowweaver::testing
