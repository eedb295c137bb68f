// write_scaffold writes every file or leaves nothing behind.
#include "scaffold/scaffold_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "scratch_dir.h"
#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ScratchDir;

TEST(ScaffoldWriterTest, WritesEveryFileAndTheFoldersAboveThem) {
  ScratchDir scratch;
  fs::path dir = scratch.path() / "a" / "b";
  write_scaffold(dir, {{"one.txt", "1"}, {"two.txt", "22"}});
  EXPECT_EQ(fs::file_size(dir / "one.txt"), 1u);
  EXPECT_EQ(fs::file_size(dir / "two.txt"), 2u);
}

TEST(ScaffoldWriterTest, AFileThatCannotBeWrittenUndoesTheOthersAndTheFoldersItMade) {
  ScratchDir scratch;
  fs::path dir = scratch.path() / "a" / "b";
  try {
    // The second file's folder does not exist: its open fails after the first was written.
    write_scaffold(dir, {{"one.txt", "1"}, {"missing/two.txt", "2"}, {"three.txt", "3"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_THAT(e.what(), HasSubstr("cannot create " + (dir / "missing/two.txt").string() +
                                    ": No such file or directory"));
  }
  EXPECT_FALSE(fs::exists(scratch.path() / "a"));
}

TEST(ScaffoldWriterTest, AnExistingFolderAndItsFilesAreKeptWhenAWriteFails) {
  ScratchDir scratch;
  std::ofstream(scratch.file("mine.txt")) << "mine";
  EXPECT_THROW(write_scaffold(scratch.path(), {{"new.txt", "n"}, {"mine.txt", "clobbered"}}),
               Error);
  EXPECT_TRUE(fs::exists(scratch.path()));
  EXPECT_FALSE(fs::exists(scratch.path() / "new.txt"));
  std::ifstream in(scratch.file("mine.txt"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "mine");
}

}  // namespace
}  // namespace flowweaver
