// `flowweaver new-plugin`: what it writes and every input it refuses. Building and running what
// it writes against the installed SDK is tests/new_plugin/run.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// What `dir` holds, but for the files FlowWeaverProcess captures the output in.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(".stdout-", 0) != 0 && name.rfind(".stderr-", 0) != 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(NewPluginTest, WritesTheFolderNamedAfterThePluginAndSaysWhatToRunNext) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"new-plugin", "weather"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(entries(dir.path() / "weather"),
              ::testing::ElementsAre(".gitignore", "CMakeLists.txt", "README.md", "weather.cpp",
                                     "weather.yaml"));
  EXPECT_THAT(r.out, HasSubstr("Created the C++ plugin 'weather' in weather:\n"));
  EXPECT_THAT(r.out, HasSubstr("  cmake --install build\n  flowweaver run weather.yaml\n"));
  // The build tree's flowweaver has no SDK package beside it: the README's prefix is a guess.
  EXPECT_THAT(r.err, HasSubstr("README.md assumes FlowWeaver installed in /usr/local"));
  EXPECT_THAT(read_file(dir.path() / "weather" / "README.md"),
              HasSubstr("-DCMAKE_PREFIX_PATH=/usr/local"));
}

TEST(NewPluginTest, AnEmptyDirectoryIsUsedAndCIsWrittenWithLangC) {
  TempDir dir;
  fs::create_directories(dir.path() / "src" / "cw");
  ProcessResult r =
      run_flowweaver({"new-plugin", "cw", "--lang", "c", "--dir", "src/cw"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(
      entries(dir.path() / "src" / "cw"),
      ::testing::ElementsAre(".gitignore", "CMakeLists.txt", "README.md", "cw.c", "cw.yaml"));
  EXPECT_THAT(r.out, HasSubstr("Created the C plugin 'cw' in src/cw:\n"));
}

TEST(NewPluginTest, ABadNameIsRefusedWithTheClosestValidOne) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"new-plugin", "My-Plugin"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: 'My-Plugin' is not a plugin name: a plugin name is lowercase letters, digits "
            "and '_', starting with a letter (try 'my_plugin'); nothing was written\n");
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(NewPluginTest, TheNameOfAPluginAlreadyFoundIsRefused) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"new-plugin", "builtin"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("error: a plugin named 'builtin' is already on the plugin search path ("));
  EXPECT_THAT(r.err, HasSubstr("builtin.so), and a host ignores a second plugin of the same "
                               "name: choose another name; nothing was written\n"));
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(NewPluginTest, AnUnknownLanguageIsRefusedNamingTheTwoItKnows) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"new-plugin", "x", "--lang", "rust"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: --lang 'rust' is not a language new-plugin writes: give --lang cpp (C++ with "
            "the SDK's sdk.hpp) or --lang c (C with plugin.h alone); nothing was written\n");
  EXPECT_TRUE(entries(dir.path()).empty());
}

TEST(NewPluginTest, ADirectoryThatIsNotEmptyIsLeftAlone) {
  TempDir dir;
  dir.write("x/notes.txt", "mine");
  ProcessResult r = run_flowweaver({"new-plugin", "x"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: x already exists and is not empty: give a new or empty directory with --dir, "
            "or remove that one; nothing was written\n");
  EXPECT_THAT(entries(dir.path() / "x"), ::testing::ElementsAre("notes.txt"));
  // A second new-plugin into a folder the first one wrote is refused the same way.
  ASSERT_EQ(run_flowweaver({"new-plugin", "y"}, dir.path()).exit_code, 0);
  EXPECT_EQ(run_flowweaver({"new-plugin", "y"}, dir.path()).exit_code, 2);
}

TEST(NewPluginTest, AFileWhereTheDirectoryShouldBeIsRefused) {
  TempDir dir;
  dir.write("x", "a file");
  ProcessResult r = run_flowweaver({"new-plugin", "x"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "error: x exists and is not a directory: give a new or empty directory with --dir; "
            "nothing was written\n");
}

TEST(NewPluginTest, ADirectoryThatCannotBeCreatedFailsWithTheReasonAndLeavesNothing) {
  TempDir dir;
  dir.write("file", "a file");
  ProcessResult r = run_flowweaver({"new-plugin", "x", "--dir", "file/x"}, dir.path());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("error: cannot create the directory file/x: Not a directory"));
  EXPECT_THAT(r.err, HasSubstr("; nothing was written\n"));
  EXPECT_THAT(entries(dir.path()), ::testing::ElementsAre("file"));
}

}  // namespace
}  // namespace flowweaver::testing
