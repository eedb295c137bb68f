#include "exec/crash_marker.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>

namespace flowweaver {
namespace {

class CrashMarkerTest : public ::testing::Test {
 protected:
  CrashMarkerTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("fw-crash-marker-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
  }
  ~CrashMarkerTest() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

// A child that dies of `signal` inside a CrashScope; returns how it ended.
int die_in_scope(const std::string& marker, const std::string& line, int signal) {
  pid_t pid = fork();
  if (pid == 0) {
    // The default action behind ours, whatever this process (or a sanitizer) installed before.
    std::signal(signal, SIG_DFL);
    install_crash_handlers();
    CrashScope scope(marker, line);
    raise(signal);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST_F(CrashMarkerTest, ACrashInAScopeNamesTheAttemptAndStillKillsWithTheSignal) {
  std::string marker = crash_marker_path((dir_ / "wf.db").string());
  EXPECT_EQ(marker, (dir_ / "wf.db.crashed").string());
  int status = die_in_scope(marker, crash_line("run1", "boom", 2), SIGSEGV);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  status = die_in_scope(marker, crash_line("run1", "other", 1), SIGABRT);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGABRT);
  std::vector<CrashRecord> records = read_crash_marker(marker);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].run_id, "run1");
  EXPECT_EQ(records[0].task, "boom");
  EXPECT_EQ(records[0].attempt, 2);
  EXPECT_EQ(records[0].signal, SIGSEGV);
  EXPECT_EQ(records[1].task, "other");
  EXPECT_EQ(records[1].signal, SIGABRT);
}

// Far deeper than any stack; volatile, so the compiler cannot tell the recursion never ends.
volatile int g_depth_limit = 1 << 30;

// Each call keeps a large frame alive across the next, so the recursion cannot be optimized
// into a loop.
int recurse_forever(int depth) {
  if (depth == g_depth_limit) return 0;
  volatile char frame[4096];
  frame[depth % sizeof frame] = static_cast<char>(depth);
  return recurse_forever(depth + 1) + frame[(depth + 1) % sizeof frame];
}

// A task that overflows its stack is named too: the handler runs on a stack of its own. The
// fault then kills the process as it would have.
TEST_F(CrashMarkerTest, AStackOverflowInAScopeIsNamed) {
  std::string marker = crash_marker_path((dir_ / "wf.db").string());
  pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGSEGV, SIG_DFL);
    install_crash_handlers();
    std::string line = crash_line("run1", "deep", 1);
    CrashScope scope(marker, line);
    _exit(recurse_forever(0) == 42 ? 3 : 4);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSEGV);
  std::vector<CrashRecord> records = read_crash_marker(marker);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].task, "deep");
  EXPECT_EQ(records[0].signal, SIGSEGV);
}

TEST_F(CrashMarkerTest, NoFileMeansNoCrashesAndMalformedLinesAreSkipped) {
  EXPECT_TRUE(read_crash_marker((dir_ / "none").string()).empty());
  std::ofstream((dir_ / "m").string()) << "run1\tboom\n"          // cut short
                                       << "run1\tboom\tx\t11\n"   // not a number
                                       << "run1\tboom\t3\t11\n";  // whole
  std::vector<CrashRecord> records = read_crash_marker((dir_ / "m").string());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].attempt, 3);
}

}  // namespace
}  // namespace flowweaver
