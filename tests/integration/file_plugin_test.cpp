// End-to-end runs of the real binary with the file plugin (`uses: file.*`): each task type on
// real files in a scratch directory, its failures (retried or not), and the wait_for sensor
// ending by its file, its timeout, SIGTERM and `flowweaver cancel`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

std::string db_of(const TempDir& dir, const std::string& workflow = "wf") {
  return (dir.path() / "var" / (workflow + ".db")).string();
}

std::string task_column(const std::string& db, const std::string& column, const std::string& task) {
  return query_one(db, "SELECT " + column + " FROM tasks WHERE task_name = '" + task + "'");
}

json result_of(const std::string& db, const std::string& task) {
  return json::parse(task_column(db, "result", task));
}

bool task_is_running(const std::string& db, const std::string& task) {
  try {
    return task_column(db, "status", task) == "RUNNING";
  } catch (const std::exception&) {
    return false;  // no file or table yet
  }
}

TEST(FilePluginTest, EveryTaskTypeIsDescribed) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"plugins", "--describe", "file"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* type : {"copy", "move", "delete", "glob", "checksum", "wait_for"}) {
    EXPECT_THAT(r.out, HasSubstr(std::string("file.") + type)) << r.out;
  }
  EXPECT_THAT(r.out, HasSubstr("settle"));
  EXPECT_THAT(r.out, HasSubstr("overwrite"));
}

TEST(FilePluginTest, GlobCopyChecksumMoveAndDeleteRunEndToEnd) {
  TempDir dir;
  fs::create_directories(dir.path() / "in/old");
  fs::create_directories(dir.path() / "out");
  dir.write("in/b.csv", "b\n");
  dir.write("in/a.csv", "abc");
  fs::permissions(dir.path() / "in/a.csv", fs::perms(0640));
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: list, uses: file.glob, with: {pattern: "in/*.csv"}}
  - name: copy
    uses: file.copy
    depends_on: [list]
    with: {source: "${tasks.list.output.matches.0}", destination: out/a.csv}
  - name: sum
    uses: file.checksum
    depends_on: [copy]
    with:
      path: out/a.csv
      expected: BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD
  - name: move
    uses: file.move
    depends_on: [sum]
    with: {source: out/a.csv, destination: a.done}
  - {name: tree, uses: file.copy, with: {source: in, destination: in_copy, recursive: true}}
  - name: clean
    uses: file.delete
    depends_on: [move, tree]
    with: {path: in, recursive: true}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string db = db_of(dir);
  EXPECT_EQ(result_of(db, "list"),
            json::parse(R"({"pattern": "in/*.csv", "matches": ["in/a.csv", "in/b.csv"],
                            "count": 2})"));
  EXPECT_EQ(result_of(db, "copy"), json::parse(R"({"source": "in/a.csv",
      "destination": "out/a.csv", "files": 1, "bytes": 3, "already_there": false})"));
  EXPECT_EQ(result_of(db, "sum")["sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(result_of(db, "move")["across_filesystems"], false);
  EXPECT_EQ(result_of(db, "tree")["files"], 2);
  EXPECT_EQ(result_of(db, "clean"), json::parse(R"({"path": "in", "deleted": true,
      "removed": 4})"));
  EXPECT_EQ(read_file(dir.path() / "a.done"), "abc");
  EXPECT_EQ(fs::status(dir.path() / "a.done").permissions(), fs::perms(0640));
  EXPECT_EQ(read_file(dir.path() / "in_copy/b.csv"), "b\n");
  EXPECT_TRUE(fs::is_directory(dir.path() / "in_copy/old"));
  EXPECT_FALSE(fs::exists(dir.path() / "in"));
  EXPECT_TRUE(fs::is_empty(dir.path() / "out"));  // no temporary file left behind
}

TEST(FilePluginTest, FailuresARetryCannotCureAreNotRetried) {
  TempDir dir;
  dir.write("exists.txt", "keep");
  dir.write("wf.yaml", R"(name: wf
defaults: {retries: 3, retry_delay: 10ms}
tasks:
  - {name: missing, uses: file.copy, with: {source: nope.txt, destination: x.txt}}
  - {name: taken, uses: file.move, with: {source: wf.yaml, destination: exists.txt}}
  - {name: root, uses: file.delete, with: {path: /}}
  - {name: empty, uses: file.delete, with: {path: ""}}
  - name: mismatch
    uses: file.checksum
    with: {path: exists.txt, expected: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml", "--max-workers", "1"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string db = db_of(dir);
  EXPECT_EQ(task_column(db, "error", "missing"),
            "cannot copy 'nope.txt': No such file or directory");
  EXPECT_EQ(task_column(db, "error", "taken"),
            "destination 'exists.txt' exists: set overwrite: true to replace it");
  EXPECT_EQ(task_column(db, "error", "root"), "refusing to delete '/': it is the root directory");
  EXPECT_EQ(task_column(db, "error", "empty"),
            "refusing to delete the empty path: give `path` the file to delete");
  EXPECT_THAT(task_column(db, "error", "mismatch"),
              HasSubstr("checksum mismatch for 'exists.txt': expected sha256 e3b0c442"));
  EXPECT_EQ(query_column(db, "SELECT DISTINCT attempt FROM tasks"),
            (std::vector<std::string>{"1"}));
  EXPECT_EQ(read_file(dir.path() / "exists.txt"), "keep");
  EXPECT_TRUE(fs::exists(dir.path() / "wf.yaml"));
}

// What a task finds when a run resumes after the host died between its work and its
// COMPLETED record: its destination already holds the source's bytes.
TEST(FilePluginTest, ACopyOrMoveWhoseWorkIsAlreadyDoneSucceedsWithoutOverwrite) {
  TempDir dir;
  for (const char* name : {"a.csv", "a.copy", "b.csv", "b.moved"}) dir.write(name, "same\n");
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: copy, uses: file.copy, with: {source: a.csv, destination: a.copy}}
  - {name: move, uses: file.move, with: {source: b.csv, destination: b.moved}}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string db = db_of(dir);
  EXPECT_EQ(result_of(db, "copy")["already_there"], true);
  EXPECT_EQ(result_of(db, "move")["already_there"], true);
  EXPECT_FALSE(fs::exists(dir.path() / "b.csv"));
  EXPECT_EQ(read_file(dir.path() / "b.moved"), "same\n");
}

TEST(FilePluginTest, WaitForSeesAFileWrittenWhileItWaits) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: arrived
    uses: file.wait_for
    with: {path: drop/data.csv, settle: 100ms, poll_interval: 20ms, timeout: 30s}
  - {name: after, uses: builtin.echo, depends_on: [arrived], with: {size: "${tasks.arrived.output.size}"}}
)");
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  std::string db = db_of(dir);
  ASSERT_TRUE(wait_until([&] { return task_is_running(db, "arrived"); }));
  fs::create_directories(dir.path() / "drop");
  dir.write("drop/data.csv", "id\n1\n");
  ProcessResult r = run.wait();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(result_of(db, "arrived")["size"], 5);
  EXPECT_EQ(result_of(db, "arrived")["path"], "drop/data.csv");
  EXPECT_EQ(result_of(db, "after")["size"], 5);  // a whole reference keeps its type
}

TEST(FilePluginTest, WaitForTimesOutRetryablyNamingWhatItWaitedFor) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - name: arrived
    uses: file.wait_for
    with: {path: never.csv, settle: 0s, poll_interval: 20ms, timeout: 100ms}
    retries: 1
    retry_delay: 10ms
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string db = db_of(dir);
  EXPECT_EQ(task_column(db, "error", "arrived"),
            "timed out after 100ms waiting for 'never.csv': it does not exist");
  EXPECT_EQ(task_column(db, "attempt", "arrived"), "2");  // retried once
}

// A wait that only its end can stop: no file, a poll interval far beyond the test's patience.
std::string long_wait(const std::string& isolation) {
  return "name: wf\ntasks:\n"
         "  - name: arrived\n"
         "    uses: file.wait_for\n"
         "    isolation: " +
         isolation +
         "\n"
         "    with: {path: never.csv, poll_interval: 5s, timeout: 10m}\n";
}

// In the host's process and in a child (flowweaver serve's default).
class FileWaitStopTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FileWaitStopTest, SigtermEndsTheWaitAtOnce) {
  TempDir dir;
  dir.write("wf.yaml", long_wait(GetParam()));
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return task_is_running(db_of(dir), "arrived"); }));
  auto stopped = std::chrono::steady_clock::now();
  run.signal(SIGTERM);
  ProcessResult r = run.wait();
  EXPECT_EQ(r.exit_code, 143) << r.err;
  // Well under the 5s poll interval: the wait was cut short, not polled out.
  EXPECT_LT(std::chrono::steady_clock::now() - stopped, std::chrono::seconds(3));
}

TEST_P(FileWaitStopTest, CancelEndsTheWaitAtOnce) {
  TempDir dir;
  dir.write("wf.yaml", long_wait(GetParam()));
  FlowWeaverProcess run({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] { return task_is_running(db_of(dir), "arrived"); }));
  auto cancelled = std::chrono::steady_clock::now();
  ProcessResult cancel = run_flowweaver({"cancel", "wf.yaml"}, dir.path());
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  ProcessResult r = run.wait();
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - cancelled, std::chrono::seconds(3));
  EXPECT_THAT(query_one(db_of(dir), "SELECT error FROM attempts WHERE task_name = 'arrived'"),
              HasSubstr("cancelled"));
}

INSTANTIATE_TEST_SUITE_P(Isolation, FileWaitStopTest, ::testing::Values("in-process", "process"),
                         [](const auto& info) {
                           return info.param == "process" ? std::string("process")
                                                          : std::string("in_process");
                         });

TEST(FilePluginTest, TheFilesExampleRunsInAScratchDirectory) {
  TempDir dir;
  ProcessResult r =
      run_flowweaver({"run", FLOWWEAVER_SOURCE_DIR "/workflows/examples/files.yaml"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string db = db_of(dir, "files_example");
  EXPECT_EQ(result_of(db, "list")["matches"],
            json::parse(R"(["incoming/customers.csv", "incoming/orders.csv"])"));
  EXPECT_EQ(read_file(dir.path() / "archive/orders.csv"), "id,total\n1,9.50\n2,12.00\n");
  EXPECT_EQ(read_file(dir.path() / "orders.processing.csv"), "id,total\n1,9.50\n2,12.00\n");
  EXPECT_FALSE(fs::exists(dir.path() / "incoming"));
}

}  // namespace
}  // namespace flowweaver::testing
