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
