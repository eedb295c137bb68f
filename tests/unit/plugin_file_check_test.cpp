#include "plugin/plugin_file_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PluginFileCheckTest : public ::testing::Test {
 protected:
  PluginFileCheckTest() {
    dir_ = fs::temp_directory_path() / ("fw-perm-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    ::chmod(dir_.c_str(), 0755);
    file_ = dir_ / "p.so";
    std::ofstream(file_) << "x";
    ::chmod(file_.c_str(), 0644);
  }
  ~PluginFileCheckTest() override { fs::remove_all(dir_); }

  fs::path dir_, file_;
};

TEST_F(PluginFileCheckTest, AFileOnlyItsOwnerCanWriteIsAccepted) {
  EXPECT_EQ(insecure_plugin_reason(file_), std::nullopt);
}

TEST_F(PluginFileCheckTest, AGroupOrWorldWritableFileIsRefusedWithTheFix) {
  ::chmod(file_.c_str(), 0664);
  std::optional<std::string> why = insecure_plugin_reason(file_);
  ASSERT_TRUE(why);
  EXPECT_THAT(*why, HasSubstr("plugin file " + file_.string() + " is writable by its group"));
  EXPECT_THAT(*why, HasSubstr("mode 0664"));
  EXPECT_THAT(*why, HasSubstr("chmod go-w " + file_.string()));
  EXPECT_THAT(*why, HasSubstr("--allow-insecure-plugins"));
  ::chmod(file_.c_str(), 0646);
  EXPECT_THAT(insecure_plugin_reason(file_).value_or(""), HasSubstr("writable by others"));
}

TEST_F(PluginFileCheckTest, AWritableDirectoryIsRefused) {
  ::chmod(dir_.c_str(), 0777);
  EXPECT_THAT(insecure_plugin_reason(file_).value_or(""),
              HasSubstr("plugin directory " + dir_.string() + " is writable by others"));
}

TEST_F(PluginFileCheckTest, AFileOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  ASSERT_EQ(::chown(file_.c_str(), 12345, 12345), 0);
  EXPECT_THAT(insecure_plugin_reason(file_).value_or(""),
              HasSubstr("is owned by uid 12345, neither root nor this host's user"));
}

TEST_F(PluginFileCheckTest, ASymlinkIsJudgedByTheFileItPointsTo) {
  fs::path other = dir_ / "open";
  fs::create_directories(other);
  ::chmod(other.c_str(), 0777);
  fs::path target = other / "real.so";
  std::ofstream(target) << "y";
  ::chmod(target.c_str(), 0644);
  fs::create_symlink(target, dir_ / "link.so");
  EXPECT_THAT(insecure_plugin_reason(dir_ / "link.so").value_or(""),
              HasSubstr("plugin directory " + other.string()));
}

}  // namespace
}  // namespace flowweaver
