// End-to-end runs of the real binary with the shell plugin (`uses: shell.run`).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using nlohmann::json;

std::string db_of(const TempDir& dir, const std::string& workflow) {
  return (dir.path() / "var" / (workflow + ".db")).string();
}

std::string column_of_task(const std::string& db, const std::string& column,
                           const std::string& task) {
  std::vector<std::string> rows =
      query_column(db, "SELECT " + column + " FROM tasks WHERE task_name = '" + task + "'");
  if (rows.size() != 1) {
    ADD_FAILURE() << "task '" << task << "' has " << rows.size() << " rows in " << db;
    return "";
  }
  return rows[0];
}

json result_of(const std::string& db, const std::string& task) {
  return json::parse(column_of_task(db, "result", task));
}

// True while `pid` exists and is not a zombie (an orphan waiting for a reaper is dead).
bool process_alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

pid_t read_pid(const std::filesystem::path& file) {
  std::ifstream in(file);
  pid_t pid = -1;
  in >> pid;
  return pid;
}

TEST(ShellPluginTest, ArgvCommandOutputIsStoredAsTheResult) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: echo
    uses: shell.run
    with: {command: [/bin/echo, hello]}
  - name: verbatim
    uses: shell.run
    with: {command: [printf, "%s|", "a  b", "$HOME", "*", 30]}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(result_of(db, "echo"), json::parse(R"({"exit_code": 0, "stdout": "hello\n",
      "stderr": "", "stdout_truncated": false, "stderr_truncated": false, "values": {}})"));
  // No shell: no word splitting, expansion or globbing; numbers are passed as text.
  EXPECT_EQ(result_of(db, "verbatim")["stdout"], "a  b|$HOME|*|30|");
}

TEST(ShellPluginTest, ShellTrueRunsAScriptWithPositionalArguments) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: pipeline
    uses: shell.run
    with: {shell: true, command: "printf 'b\\na\\n' | sort | tr a-z A-Z"}
  - name: positional
    uses: shell.run
    with: {shell: true, command: ['echo "$1-$2"', "x y", z]}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(result_of(db, "pipeline")["stdout"], "A\nB\n");
  EXPECT_EQ(result_of(db, "positional")["stdout"], "x y-z\n");
}

TEST(ShellPluginTest, EnvIsAddedToTheInheritedOneAndCwdIsUsed) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "work dir");
  std::string work_dir = std::filesystem::canonical(dir.path() / "work dir").string();
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: env
    uses: shell.run
    with:
      command: [sh, -c, 'echo "$FW_ADDED $FW_REPLACED $FW_KEPT"; pwd -P']
      env: {FW_ADDED: added, FW_REPLACED: new}
      cwd: ")" + work_dir + R"("
)");
  ProcessResult r =
      run_flowweaver({"run", "wf.yaml"}, dir.path(), {{"FW_REPLACED", "old"}, {"FW_KEPT", "kept"}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result_of(db_of(dir, "wf"), "env")["stdout"], "added new kept\n" + work_dir + "\n");
}

// The host blocks SIGINT and SIGTERM in its threads; the command must not inherit that.
TEST(ShellPluginTest, CommandStartsWithNoSignalBlockedOrIgnored) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: signals
    uses: shell.run
    with: {command: [sed, -n, 's/^Sig\(Blk\|Ign\):\t//p', /proc/self/status]}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::istringstream masks(result_of(db_of(dir, "wf"), "signals")["stdout"].get<std::string>());
  std::string blocked, ignored;
  ASSERT_TRUE(masks >> blocked >> ignored);
  EXPECT_EQ(std::stoull(blocked, nullptr, 16), 0u) << blocked;
  // Bits 0-30 are signals 1-31; glibc's posix_spawn itself ignores its internal real-time ones.
  EXPECT_EQ(std::stoull(ignored, nullptr, 16) & 0x7fffffffu, 0u) << ignored;
}

TEST(ShellPluginTest, NonZeroExitFailsTheAttemptAndIsRetried) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: fails
    uses: shell.run
    with: {shell: true, command: "echo first >&2; echo 'it broke' >&2; exit 3"}
    retries: 1
    retry_delay: 10ms
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(column_of_task(db, "status", "fails"), "FAILED");
  EXPECT_EQ(column_of_task(db, "error", "fails"), "command exited with status 3: first | it broke");
  EXPECT_EQ(query_column(db, "SELECT status FROM attempts ORDER BY attempt"),
            (std::vector<std::string>{"FAILED", "FAILED"}));
}

// Once its output is closed, the command is waited for by its exit alone (ChildProcess::wait):
// its status still counts, and a timeout still ends it.
TEST(ShellPluginTest, ACommandThatClosesItsOutputEarlyIsWaitedForAndCanTimeOut) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: quiet
    uses: shell.run
    with: {shell: true, command: "exec >/dev/null 2>&1; sleep 0.3; exit 4"}
  - name: hangs
    uses: shell.run
    with: {shell: true, command: "exec >/dev/null 2>&1; exec sleep 30"}
    timeout: 300ms
)");
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"run", "wf.yaml", "--max-workers", "2"}, dir.path());
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(column_of_task(db, "error", "quiet"), "command exited with status 4");
  EXPECT_GE(std::stoi(query_column(db,
                                   "SELECT duration_ms FROM attempts WHERE task_name = "
                                   "'quiet'")[0]),
            300);
  EXPECT_NE(column_of_task(db, "error", "hangs").find("timeout after 300ms"), std::string::npos);
}

TEST(ShellPluginTest, DeathBySignalIsNamed) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: killed
    uses: shell.run
    with: {shell: true, command: "kill -9 $$"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(column_of_task(db_of(dir, "wf"), "error", "killed"),
            "command killed by signal 9 (SIGKILL)");
}

TEST(ShellPluginTest, OutputBeyondMaxOutputIsDrainedAndFlagged) {
  TempDir dir;
  // Far more than a pipe holds, so the command finishes only if the rest is drained.
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: loud
    uses: shell.run
    with:
      shell: true
      command: "head -c 300000 /dev/zero | tr '\\0' x; echo short >&2"
      max_output: 10
    timeout: 20s
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json result = result_of(db_of(dir, "wf"), "loud");
  EXPECT_EQ(result["stdout"], "xxxxxxxxxx");
  EXPECT_EQ(result["stdout_truncated"], true);
  EXPECT_EQ(result["stderr"], "short\n");
  EXPECT_EQ(result["stderr_truncated"], false);
}

TEST(ShellPluginTest, InvalidUtf8OutputIsReplaced) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: bytes
    uses: shell.run
    with: {shell: true, command: "printf 'a\\377b\\303\\251'"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result_of(db_of(dir, "wf"), "bytes")["stdout"],
            "a\xEF\xBF\xBD"
            "b\xC3\xA9");
}

TEST(ShellPluginTest, TimeoutKillsTheWholeProcessGroupQuickly) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: slow
    uses: shell.run
    with: {shell: true, command: "sleep 30 & echo $! > sleep.pid; wait"}
    timeout: 300ms
)");
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(column_of_task(db, "status", "slow"), "FAILED");
  EXPECT_NE(column_of_task(db, "error", "slow").find("timeout after 300ms"), std::string::npos);
  pid_t sleep_pid = read_pid(dir.path() / "sleep.pid");
  ASSERT_GT(sleep_pid, 0) << "the command did not write its pid";
  // The orphaned sleep may take a moment to be reaped by init; it must not keep running.
  EXPECT_TRUE(wait_until([&] { return !process_alive(sleep_pid); }, 3000));
}

TEST(ShellPluginTest, TimeoutEscalatesToSigkillWhenSigtermIsIgnored) {
  TempDir dir;
  // `trap '' TERM` makes the shell and the sleep it starts ignore SIGTERM.
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: stubborn
    uses: shell.run
    with: {shell: true, command: "trap '' TERM; sleep 30 & echo $! > sleep.pid; wait"}
    timeout: 300ms
)");
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  EXPECT_NE(column_of_task(db_of(dir, "wf"), "error", "stubborn").find("timeout after 300ms"),
            std::string::npos);
  pid_t sleep_pid = read_pid(dir.path() / "sleep.pid");
  ASSERT_GT(sleep_pid, 0) << "the command did not write its pid";
  EXPECT_TRUE(wait_until([&] { return !process_alive(sleep_pid); }, 3000));
}

TEST(ShellPluginTest, ShutdownKillsTheRunningCommand) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: slow
    uses: shell.run
    with: {shell: true, command: "sleep 30 & echo $! > sleep.pid; wait"}
)");
  FlowWeaverProcess process({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return read_pid(dir.path() / "sleep.pid") > 0; }));
  pid_t sleep_pid = read_pid(dir.path() / "sleep.pid");
  auto started = std::chrono::steady_clock::now();
  process.signal(SIGTERM);
  ProcessResult r = process.wait();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10)) << r.err;
  EXPECT_TRUE(wait_until([&] { return !process_alive(sleep_pid); }, 3000));
}

TEST(ShellPluginTest, CommandsThatCannotRunFailAtOnceWithAClearError) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: not_found
    uses: shell.run
    with: {command: [fw-no-such-command, x]}
    retries: 3
  - name: bad_path
    uses: shell.run
    with: {command: [./fw-no-such-script]}
  - name: bad_cwd
    uses: shell.run
    with: {command: [/bin/true], cwd: /fw-no-such-dir}
  - name: string_without_shell
    uses: shell.run
    with: {command: "ls -l"}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string db = db_of(dir, "wf");
  auto error_of = [&](const std::string& task) { return column_of_task(db, "error", task); };
  EXPECT_EQ(error_of("not_found").rfind("command not found: fw-no-such-command", 0), 0u)
      << error_of("not_found");
  EXPECT_EQ(column_of_task(db, "attempt", "not_found"), "1");  // permanent: not retried
  EXPECT_EQ(error_of("bad_path"), "cannot run './fw-no-such-script': No such file or directory");
  EXPECT_EQ(error_of("bad_cwd"), "cannot use cwd '/fw-no-such-dir': No such file or directory");
  EXPECT_NE(error_of("string_without_shell").find("set shell: true"), std::string::npos)
      << error_of("string_without_shell");
  EXPECT_EQ(query_column(db, "SELECT DISTINCT status FROM tasks"),
            (std::vector<std::string>{"FAILED"}));
}

TEST(ShellPluginTest, ParsedStdoutAndNamedValuesReachADependent) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: t
    uses: shell.run
    isolation: process
    with:
      shell: true
      parse: lines
      env: {FLOWWEAVER_OUTPUT: /fw-not-this-one}
      command: |
        printf 'a.csv\nb.csv\n'
        echo "count=2" >> "$FLOWWEAVER_OUTPUT"
        printf 'notes<<EOF\nfirst\nsecond\nEOF\n' >> "$FLOWWEAVER_OUTPUT"
        dirname "$FLOWWEAVER_OUTPUT" > output_dir
  - name: text
    uses: shell.run
    with: {command: [printf, "v1.2\n"], parse: text}
  - name: doc
    uses: shell.run
    with: {command: [printf, '{"rows": [1, 2]}'], parse: json}
  - name: use
    uses: builtin.echo
    depends_on: [t, text, doc]
    with:
      files: ${tasks.t.output.lines}
      count: ${tasks.t.output.values.count}
      notes: ${tasks.t.output.values.notes}
      version: ${tasks.text.output.text}
      rows: ${tasks.doc.output.json.rows}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string db = db_of(dir, "wf");
  EXPECT_EQ(result_of(db, "use"), json::parse(R"({"files": ["a.csv", "b.csv"], "count": "2",
      "notes": "first\nsecond", "version": "v1.2", "rows": [1, 2]})"));
  json t = result_of(db, "t");
  EXPECT_EQ(t["stdout"], "a.csv\nb.csv\n");  // the raw stdout stays as it was
  EXPECT_FALSE(t.contains("text"));
  EXPECT_FALSE(result_of(db, "text").contains("lines"));
  EXPECT_EQ(result_of(db, "text")["values"], json::object());
  // The file's private directory is gone after the attempt.
  std::string output_dir = read_file(dir.path() / "output_dir");
  while (!output_dir.empty() && output_dir.back() == '\n') output_dir.pop_back();
  ASSERT_FALSE(output_dir.empty());
  EXPECT_FALSE(std::filesystem::exists(output_dir)) << output_dir;
}

TEST(ShellPluginTest, TheShellOutputsExampleRuns) {
  TempDir dir;
  ProcessResult r = run_flowweaver(
      {"run", FLOWWEAVER_SOURCE_DIR "/workflows/examples/shell_outputs.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  json report = result_of(db_of(dir, "shell_outputs_example"), "report");
  EXPECT_EQ(report["files"], json::parse(R"(["customers.csv", "orders.csv"])"));
  EXPECT_EQ(report["count"], "2");
  EXPECT_EQ(report["summary"], "two files\ncustomers first");
  EXPECT_EQ(report["rows"], 120);
}

TEST(ShellPluginTest, UnparsableOutputsFailForGoodWithoutRetrying) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: not_json
    uses: shell.run
    with: {command: [echo, "Error: no such table"], parse: json}
    retries: 2
  - name: truncated_json
    uses: shell.run
    with: {command: [printf, '{"a": [1, 2, 3]}'], parse: json, max_output: 5}
    retries: 2
  - name: malformed_values
    uses: shell.run
    with: {shell: true, command: "echo a=1 >> $FLOWWEAVER_OUTPUT; echo oops >> $FLOWWEAVER_OUTPUT"}
    retries: 2
  - name: open_block
    uses: shell.run
    with: {shell: true, command: "printf 'k<<EOF\\nx\\n' >> $FLOWWEAVER_OUTPUT"}
    retries: 2
  - name: bad_mode
    uses: shell.run
    with: {command: [touch, ran], parse: yaml}
    retries: 2
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string db = db_of(dir, "wf");
  auto error_of = [&](const std::string& task) { return column_of_task(db, "error", task); };
  EXPECT_NE(error_of("not_json").find("parse: json: stdout is not valid JSON"), std::string::npos)
      << error_of("not_json");
  EXPECT_NE(error_of("not_json").find("it starts with: \"Error: no such table\\n\""),
            std::string::npos)
      << error_of("not_json");
  EXPECT_NE(error_of("truncated_json").find("stdout was truncated"), std::string::npos)
      << error_of("truncated_json");
  EXPECT_EQ(error_of("malformed_values"),
            "$FLOWWEAVER_OUTPUT line 2: \"oops\" is neither key=value nor key<<DELIMITER");
  EXPECT_EQ(error_of("open_block"),
            "$FLOWWEAVER_OUTPUT line 1: the block \"k<<EOF\" is never closed by a line \"EOF\"");
  EXPECT_EQ(error_of("bad_mode"),
            "parameter 'parse' must be one of none, text, lines, json, but is \"yaml\"");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "ran"));  // refused before running
  EXPECT_EQ(query_column(db, "SELECT DISTINCT attempt FROM tasks"),
            (std::vector<std::string>{"1"}));  // permanent: none retried
  EXPECT_EQ(query_column(db, "SELECT DISTINCT status FROM tasks"),
            (std::vector<std::string>{"FAILED"}));
}

TEST(ShellPluginTest, DescribeShowsTheParseParameter) {
  TempDir dir;
  ProcessResult d = run_flowweaver({"plugins", "--describe", "shell"}, dir.path());
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("parse"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("none, text, lines or json"), std::string::npos) << d.out;
}

}  // namespace
}  // namespace flowweaver::testing
