// Per-task logs: the writer (files, lines, cap), the paths, and finding an attempt's log in the
// state with the errors an operator gets for what is not there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <fstream>
#include <sstream>

#include "scratch_dir.h"
#include "state/state_store.h"
#include "task_log/task_log_files.h"
#include "task_log/task_log_line.h"
#include "task_log/task_log_path.h"
#include "task_log/task_log_reader.h"
#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<spdlog::logger> logger_to(std::ostringstream& out) {
  return std::make_shared<spdlog::logger>("test",
                                          std::make_shared<spdlog::sinks::ostream_sink_st>(out));
}

TEST(TaskLogPath, NamesRunDirectoryAndAttemptFileAndRefusesPartsThatEscape) {
  EXPECT_EQ(task_log_path("var/log", "etl", "20261205T000000000-abcdef", "load", 2),
            fs::path("var/log/etl/20261205T000000000-abcdef/load.2.log"));
  EXPECT_THROW(task_log_path("var/log", "etl", "..", "load", 1), Error);
  EXPECT_THROW(task_log_path("var/log", "etl", "a/b", "load", 1), Error);
  EXPECT_THROW(task_log_run_dir("var/log", "", "r"), Error);
  EXPECT_TRUE(is_safe_path_part("run-1"));
  EXPECT_FALSE(is_safe_path_part("."));
}

TEST(TaskLogLine, HasUtcTimeLevelAndEscapedMessageOnOneLine) {
  std::string line = format_task_log_line(TimePoint{}, FW_LOG_WARN, "two\nlines\x1b[2J");
  EXPECT_EQ(line, "1970-01-01T00:00:00.000Z warn two\\nlines\\x1b[2J\n");
}

TEST(TaskLogFiles, LinesGoToTheirAttemptsFileAtOnceAndASilentAttemptHasNone) {
  testing::ScratchDir dir;
  std::ostringstream run_log;
  TaskLogFiles files(dir.path() / "wf" / "run1", {"a", "b"}, kDefaultTaskLogMaxBytes,
                     logger_to(run_log));
  EXPECT_TRUE(fs::is_directory(dir.path() / "wf/run1"));  // at once: "logged nothing" is knowable
  files.on_task_started(0, 1);
  files.on_task_started(1, 1);
  files.write(1, nullptr, 1, FW_LOG_INFO, "hello");
  // Each line is in the file at once, before the attempt ends: a follower sees it.
  EXPECT_THAT(slurp(dir.path() / "wf/run1/b.1.log"), MatchesRegex("[-0-9T:.]+Z info hello\n"));
  files.on_task_finished(1, 1, false, "boom", Millis(1));
  files.on_task_started(1, 2);
  files.write(1, nullptr, 2, FW_LOG_ERROR, "again");
  files.on_task_finished(0, 1, true, "", Millis(1));
  EXPECT_FALSE(fs::exists(dir.path() / "wf/run1/a.1.log"));
  EXPECT_THAT(slurp(dir.path() / "wf/run1/b.2.log"), HasSubstr(" error again\n"));
  EXPECT_THAT(slurp(dir.path() / "wf/run1/b.1.log"), ::testing::Not(HasSubstr("again")));
  EXPECT_EQ(run_log.str(), "");
}

TEST(TaskLogFiles, AnAttemptPastTheCapGetsOneLastLineSayingSo) {
  testing::ScratchDir dir;
  std::ostringstream run_log;
  TaskLogFiles files(dir.path(), {"a"}, 200, logger_to(run_log));
  files.on_task_started(0, 1);
  for (int i = 0; i < 20; ++i) files.write(0, nullptr, 1, FW_LOG_INFO, "line " + std::to_string(i));
  std::string text = slurp(dir.path() / "a.1.log");
  EXPECT_THAT(text, HasSubstr("line 0\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("line 19")));
  EXPECT_THAT(text, ::testing::EndsWith(" warn log truncated at 185 bytes: the attempt's further "
                                        "lines are dropped\n"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            std::count(text.begin(), text.end(), 'Z'));  // whole lines only
}

TEST(TaskLogFiles, AnUnwritableDirectoryIsReportedOnceAndDoesNotThrow) {
  testing::ScratchDir dir;
  std::ofstream(dir.path() / "file") << "x";
  std::ostringstream run_log;
  TaskLogFiles files(dir.path() / "file" / "run", {"a"}, kDefaultTaskLogMaxBytes,
                     logger_to(run_log));
  files.on_task_started(0, 1);
  files.write(0, nullptr, 1, FW_LOG_INFO, "lost");
  files.write(0, nullptr, 1, FW_LOG_INFO, "lost too");
  std::string reported = run_log.str();
  EXPECT_THAT(reported, HasSubstr("task logs: cannot create"));
  EXPECT_EQ(std::count(reported.begin(), reported.end(), '\n'), 1);
}

class TaskLogReaderTest : public ::testing::Test {
 protected:
  TaskLogReaderTest() : store_(open_state_store(dir_.file("wf.db"), Durability::kNormal)) {
    RunRecord run{"r1", "wf", RunStatus::kRunning, TimePoint{}, std::nullopt, "h"};
    TaskRecord load;
    load.task_name = "load";
    load.status = TaskStatus::kRunning;
    load.attempt = 2;
    TaskRecord later;
    later.task_name = "later";
    later.position = 1;
    store_->create_run(run, {load, later});
  }

  TaskLogLocation locate(const std::string& run, const std::string& task,
                         std::optional<int> attempt = std::nullopt) {
    return locate_task_log(*store_, dir_.path() / "log", "wf", run, task, attempt);
  }
  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }

  testing::ScratchDir dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(TaskLogReaderTest, FindsTheLatestRunAndAttemptUnlessAsked) {
  TaskLogLocation where = locate("", "load");
  EXPECT_EQ(where.run.run_id, "r1");
  EXPECT_EQ(where.attempt, 2);
  EXPECT_EQ(where.path, dir_.path() / "log/wf/r1/load.2.log");
  EXPECT_FALSE(attempt_is_over(where.task, 2));
  EXPECT_TRUE(attempt_is_over(where.task, 1));
  EXPECT_EQ(locate("r1", "load", 1).path, dir_.path() / "log/wf/r1/load.1.log");
}

// Rows are committed in groups: a starting attempt has its file before its RUNNING row.
TEST_F(TaskLogReaderTest, AnAttemptWhoseFileExistsBeforeItsRowCountsAsStartedAndNotOver) {
  fs::create_directories(dir_.path() / "log/wf/r1");
  std::ofstream(dir_.path() / "log/wf/r1/later.1.log") << "";
  TaskLogLocation where = locate("", "later");
  EXPECT_EQ(where.attempt, 1);
  EXPECT_FALSE(attempt_is_over(where.task, 1));
  std::ofstream(dir_.path() / "log/wf/r1/load.3.log") << "";
  EXPECT_EQ(locate("", "load").attempt, 3);
}

TEST_F(TaskLogReaderTest, SaysWhatIsMissing) {
  EXPECT_THAT(error_of([&] { locate("r9", "load"); }), HasSubstr("no run 'r9' of 'wf'"));
  EXPECT_THAT(error_of([&] { locate("", "laod"); }),
              HasSubstr("no task 'laod' in run r1 of 'wf' (did you mean 'load'?)"));
  EXPECT_THAT(error_of([&] { locate("", "load", 3); }),
              HasSubstr("task 'load' has no attempt 3 in run r1: it made attempts 1 to 2"));
  EXPECT_THAT(error_of([&] { locate("", "later"); }),
              HasSubstr("task 'later' has not started in run r1 (it is PENDING)"));
  EXPECT_THAT(
      error_of([&] { locate_task_log(*store_, dir_.path(), "other", "", "load", std::nullopt); }),
      HasSubstr("no run of 'other'"));
}

TEST(ReadLogBytes, ReadsFromAnOffsetAndTellsAMissingFile) {
  testing::ScratchDir dir;
  std::ofstream(dir.path() / "a.log") << "0123456789";
  std::optional<LogBytes> piece = read_log_bytes(dir.path() / "a.log", 3, 4);
  ASSERT_TRUE(piece);
  EXPECT_EQ(piece->bytes, "3456");
  EXPECT_EQ(piece->next_offset, 7u);
  EXPECT_EQ(read_log_bytes(dir.path() / "a.log", 10, 4)->bytes, "");
  EXPECT_FALSE(read_log_bytes(dir.path() / "missing.log", 0, 4));
}

}  // namespace
}  // namespace flowweaver
