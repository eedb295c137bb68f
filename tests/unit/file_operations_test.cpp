// The file plugin's operations, run on real files in a scratch directory: copy, move (also
// across filesystems), delete, glob, checksum, and how OS errors are classified.
// Built into file_unit_tests by plugins/file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <flowweaver/sdk.hpp>
#include <fstream>
#include <string>

#include "file_checksum.h"
#include "file_copy.h"
#include "file_delete.h"
#include "file_glob.h"
#include "file_move.h"
#include "os_error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

struct Failure {
  bool thrown = false;
  bool permanent = false;
  std::string message;
};

Failure failure_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const PermanentError& e) {
    return {true, true, e.what()};
  } catch (const std::exception& e) {
    return {true, false, e.what()};
  }
  return {};
}

// A fresh directory under `base`, removed afterwards.
class Scratch {
 public:
  explicit Scratch(const fs::path& base = fs::temp_directory_path()) {
    std::string name = (base / "fw-file-test-XXXXXX").string();
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp " + name);
    path_ = name;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write(const fs::path& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

mode_t mode_of(const fs::path& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::vector<std::string> names_in(const fs::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

CopyOptions with(bool overwrite, bool recursive = false) {
  CopyOptions options;
  options.overwrite = overwrite;
  options.recursive = recursive;
  return options;
}

TEST(FileCopyTest, CopiesBytesAndPermissionsAndLeavesNoTemporaryFile) {
  Scratch dir;
  write(dir / "run.sh", "#!/bin/sh\necho hi\n", 0750);
  CopyStats stats = copy_path(dir / "run.sh", dir / "copy.sh", with(false));
  EXPECT_EQ(read(dir / "copy.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(mode_of(dir / "copy.sh"), 0750u);
  EXPECT_EQ(stats.num_files, 1u);
  EXPECT_EQ(stats.num_bytes, 18u);
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"copy.sh", "run.sh"}));
}

TEST(FileCopyTest, AnExistingDestinationIsKeptUnlessOverwrite) {
  Scratch dir;
  write(dir / "new", "new");
  write(dir / "old", "old", 0600);
  Failure refused = failure_of([&] { copy_path(dir / "new", dir / "old", with(false)); });
  EXPECT_TRUE(refused.permanent);
  EXPECT_EQ(refused.message, "destination '" + (dir / "old").string() +
                                 "' exists: set overwrite: true to replace it");
  EXPECT_EQ(read(dir / "old"), "old");
  copy_path(dir / "new", dir / "old", with(true));
  EXPECT_EQ(read(dir / "old"), "new");
  EXPECT_EQ(mode_of(dir / "old"), 0644u);
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"new", "old"}));
}

// A run resumed after the host died between the rename and the COMPLETED record copies again.
TEST(FileCopyTest, ADestinationAlreadyIdenticalToTheSourceIsSuccessWithoutOverwrite) {
  Scratch dir;
  write(dir / "a", "same", 0640);
  write(dir / "b", "same", 0640);
  CopyStats again = copy_path(dir / "a", dir / "b", with(false));
  EXPECT_TRUE(again.already_there);
  EXPECT_EQ(again.num_bytes, 4u);
  EXPECT_FALSE(copy_path(dir / "a", dir / "c", with(false)).already_there);
  write(dir / "other_mode", "same", 0600);
  EXPECT_TRUE(failure_of([&] { copy_path(dir / "a", dir / "other_mode", with(false)); }).permanent);
  write(dir / "other_bytes", "samf", 0640);
  EXPECT_TRUE(
      failure_of([&] { copy_path(dir / "a", dir / "other_bytes", with(false)); }).permanent);
  EXPECT_EQ(read(dir / "other_bytes"), "samf");
}

TEST(FileCopyTest, AMissingSourceOrDestinationDirectoryFailsForGoodNamingThePath) {
  Scratch dir;
  write(dir / "a", "a");
  Failure missing = failure_of([&] { copy_path(dir / "nope", dir / "b", with(false)); });
  EXPECT_TRUE(missing.permanent);
  EXPECT_EQ(missing.message,
            "cannot copy '" + (dir / "nope").string() + "': No such file or directory");
  Failure no_dir = failure_of([&] { copy_path(dir / "a", dir / "no_dir" / "b", with(false)); });
  EXPECT_TRUE(no_dir.permanent);
  EXPECT_NE(no_dir.message.find("'" + (dir / "no_dir").string() + "'"), std::string::npos)
      << no_dir.message;
  EXPECT_NE(no_dir.message.find("No such file or directory"), std::string::npos);
  Failure no_name =
      failure_of([&] { copy_path(dir / "a", dir.path().string() + "/", with(true)); });
  EXPECT_TRUE(no_name.permanent);
  EXPECT_NE(no_name.message.find("parameter 'destination' must name a file"), std::string::npos)
      << no_name.message;
}

TEST(FileCopyTest, ADirectoryNeedsRecursiveAndIsCopiedWithLinksAndPermissions) {
  Scratch dir;
  fs::create_directories(dir / "in/sub");
  write(dir / "in/a.txt", "a", 0600);
  write(dir / "in/sub/b.txt", "bb", 0755);
  fs::create_symlink("a.txt", dir / "in/link");
  ::chmod((dir / "in/sub").c_str(), 0750);
  Failure refused = failure_of([&] { copy_path(dir / "in", dir / "out", with(false)); });
  EXPECT_TRUE(refused.permanent);
  EXPECT_EQ(refused.message, "'" + (dir / "in").string() +
                                 "' is a directory: set recursive: true to copy it with "
                                 "everything in it");
  EXPECT_FALSE(fs::exists(dir / "out"));

  CopyStats stats = copy_path(dir / "in", dir / "out", with(false, true));
  EXPECT_EQ(stats.num_files, 2u);
  EXPECT_EQ(stats.num_bytes, 3u);
  EXPECT_EQ(read(dir / "out/sub/b.txt"), "bb");
  EXPECT_EQ(mode_of(dir / "out/a.txt"), 0600u);
  EXPECT_EQ(mode_of(dir / "out/sub/b.txt"), 0755u);
  EXPECT_EQ(mode_of(dir / "out/sub"), 0750u);
  EXPECT_TRUE(fs::is_symlink(dir / "out/link"));
  EXPECT_EQ(fs::read_symlink(dir / "out/link"), "a.txt");
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"in", "out"}));
}

TEST(FileCopyTest, OverwriteReplacesADirectoryWholeButNeverAFileByADirectory) {
  Scratch dir;
  fs::create_directories(dir / "in");
  write(dir / "in/new", "new");
  fs::create_directories(dir / "out");
  write(dir / "out/stale", "stale");
  copy_path(dir / "in", dir / "out", with(true, true));
  EXPECT_EQ(names_in(dir / "out"), (std::vector<std::string>{"new"}));
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"in", "out"}));

  write(dir / "file", "f");
  Failure refused = failure_of([&] { copy_path(dir / "in", dir / "file", with(true, true)); });
  EXPECT_TRUE(refused.permanent);
  EXPECT_NE(refused.message.find("it is not a directory and the source is"), std::string::npos)
      << refused.message;
  EXPECT_EQ(read(dir / "file"), "f");
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"file", "in", "out"}));
}

TEST(FileCopyTest, ACopyIntoItselfAndSpecialFilesAreRefused) {
  Scratch dir;
  fs::create_directories(dir / "in");
  Failure inside = failure_of([&] { copy_path(dir / "in", dir / "in/copy", with(false, true)); });
  EXPECT_TRUE(inside.permanent);
  EXPECT_NE(inside.message.find("the destination is inside the source"), std::string::npos);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  Failure fifo = failure_of([&] { copy_path(dir / "fifo", dir / "copy", with(false)); });
  EXPECT_TRUE(fifo.permanent);
  EXPECT_EQ(fifo.message, "cannot copy '" + (dir / "fifo").string() +
                              "': it is not a regular file, directory or symbolic link");
}

TEST(FileCopyTest, CancellationStopsTheCopyAndLeavesNothingBehind) {
  Scratch dir;
  write(dir / "big", std::string(3 << 20, 'x'));
  CopyOptions options;
  int asked = 0;
  options.cancelled = [&] { return ++asked > 1; };
  Failure cancelled = failure_of([&] { copy_path(dir / "big", dir / "copy", options); });
  EXPECT_TRUE(cancelled.thrown);
  EXPECT_FALSE(cancelled.permanent);
  EXPECT_EQ(cancelled.message, "cancelled while copying '" + (dir / "big").string() + "'");
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"big"}));
}

TEST(FileMoveTest, OnOneFilesystemAMoveIsARename) {
  Scratch dir;
  write(dir / "a", "a", 0640);
  write(dir / "taken", "taken");
  Failure refused = failure_of([&] { move_path(dir / "a", dir / "taken", false, nullptr); });
  EXPECT_TRUE(refused.permanent);
  EXPECT_NE(refused.message.find("exists: set overwrite: true"), std::string::npos);
  struct stat before;
  ASSERT_EQ(::stat((dir / "a").c_str(), &before), 0);
  EXPECT_FALSE(move_path(dir / "a", dir / "b", false, nullptr).across_filesystems);
  struct stat after;
  ASSERT_EQ(::stat((dir / "b").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // renamed, not copied
  move_path(dir / "b", dir / "taken", true, nullptr);
  EXPECT_EQ(read(dir / "taken"), "a");
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"taken"}));
  Failure missing = failure_of([&] { move_path(dir / "gone", dir / "x", false, nullptr); });
  EXPECT_TRUE(missing.permanent);
  EXPECT_EQ(missing.message,
            "cannot move '" + (dir / "gone").string() + "': No such file or directory");
}

TEST(FileMoveTest, AnIdenticalDestinationFinishesAnInterruptedMoveButAFileIsNeverMovedOntoItself) {
  Scratch dir;
  write(dir / "a", "data");
  write(dir / "b", "data");  // as a move across filesystems leaves it if killed before its delete
  MoveResult finished = move_path(dir / "a", dir / "b", false, nullptr);
  EXPECT_TRUE(finished.already_there);
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"b"}));

  fs::create_hard_link(dir / "b", dir / "b_link");
  for (const char* name : {"b", "b_link"}) {
    Failure refused = failure_of([&] { move_path(dir / "b", dir / name, false, nullptr); });
    EXPECT_TRUE(refused.permanent) << name;
    EXPECT_NE(refused.message.find("exists: set overwrite: true"), std::string::npos);
  }
  EXPECT_EQ(read(dir / "b"), "data");
  Failure onto_itself = failure_of([&] { copy_path(dir / "b", dir / "b", with(false)); });
  EXPECT_TRUE(onto_itself.permanent);
  EXPECT_EQ(read(dir / "b"), "data");
}

dev_t device_of(const fs::path& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_dev : 0;
}

// /dev/shm is a tmpfs; the temporary directory is usually on disk.
TEST(FileMoveTest, AcrossFilesystemsAFileAndATreeAreCopiedThenTheSourceRemoved) {
  if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm on this machine";
  Scratch disk;
  Scratch shm("/dev/shm");
  if (device_of(disk.path()) == device_of(shm.path())) {
    GTEST_SKIP() << fs::temp_directory_path() << " and /dev/shm are the same filesystem: "
                 << "set TMPDIR to a directory on disk to test moves across filesystems";
  }
  write(disk / "data.csv", "id\n1\n", 0604);
  MoveResult file = move_path(disk / "data.csv", shm / "data.csv", false, nullptr);
  EXPECT_TRUE(file.across_filesystems);
  EXPECT_EQ(read(shm / "data.csv"), "id\n1\n");
  EXPECT_EQ(mode_of(shm / "data.csv"), 0604u);
  EXPECT_FALSE(fs::exists(disk / "data.csv"));

  fs::create_directories(shm / "tree/sub");
  write(shm / "tree/sub/x", "x", 0700);
  fs::create_symlink("sub/x", shm / "tree/link");
  write(disk / "tree", "in the way");
  Failure refused = failure_of([&] { move_path(shm / "tree", disk / "tree", false, nullptr); });
  EXPECT_TRUE(refused.permanent) << refused.message;
  EXPECT_TRUE(fs::exists(shm / "tree/sub/x"));
  ::unlink((disk / "tree").c_str());
  EXPECT_TRUE(move_path(shm / "tree", disk / "tree", false, nullptr).across_filesystems);
  EXPECT_EQ(read(disk / "tree/sub/x"), "x");
  EXPECT_EQ(mode_of(disk / "tree/sub/x"), 0700u);
  EXPECT_EQ(fs::read_symlink(disk / "tree/link"), "sub/x");
  EXPECT_EQ(names_in(shm.path()), (std::vector<std::string>{"data.csv"}));
  EXPECT_EQ(names_in(disk.path()), (std::vector<std::string>{"tree"}));
}

TEST(FileDeleteTest, TheRootAndTheEmptyPathAreRefused) {
  for (const char* root : {"/", "//", "/.", "/tmp/..", "/../.."}) {
    // Not recursive: should the refusal ever break, this fails instead of wiping the machine.
    Failure refused = failure_of([&] { delete_path(root, false, true); });
    EXPECT_TRUE(refused.permanent) << root;
    EXPECT_EQ(refused.message,
              "refusing to delete '" + std::string(root) + "': it is the root directory");
  }
  Failure empty = failure_of([&] { delete_path("", false, true); });
  EXPECT_TRUE(empty.permanent);
  EXPECT_EQ(empty.message, "refusing to delete the empty path: give `path` the file to delete");
  EXPECT_TRUE(fs::exists("/tmp"));
}

TEST(FileDeleteTest, FilesLinksAndWithRecursiveDirectoriesAreDeleted) {
  Scratch dir;
  write(dir / "f", "f");
  DeleteResult file = delete_path(dir / "f", false, false);
  EXPECT_TRUE(file.deleted);
  EXPECT_FALSE(fs::exists(dir / "f"));

  fs::create_directories(dir / "d/sub");
  write(dir / "d/sub/x", "x");
  fs::create_symlink(dir / "d", dir / "link");
  EXPECT_TRUE(delete_path(dir / "link", false, false).deleted);
  EXPECT_TRUE(fs::exists(dir / "d/sub/x"));  // the link went, not what it points to

  Failure refused = failure_of([&] { delete_path(dir / "d", false, false); });
  EXPECT_TRUE(refused.permanent);
  EXPECT_EQ(refused.message, "cannot delete '" + (dir / "d").string() +
                                 "': it is a directory; set recursive: true to delete it and "
                                 "everything in it");
  DeleteResult tree = delete_path((dir / "d").string() + "/", true, false);
  EXPECT_EQ(tree.num_removed, 3u);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(FileDeleteTest, AMissingPathIsSuccessUnlessMissingOkIsFalse) {
  Scratch dir;
  DeleteResult missing = delete_path(dir / "nope", false, true);
  EXPECT_FALSE(missing.deleted);
  Failure refused = failure_of([&] { delete_path(dir / "nope", false, false); });
  EXPECT_TRUE(refused.permanent);
  EXPECT_EQ(refused.message,
            "cannot delete '" + (dir / "nope").string() + "': No such file or directory");
}

TEST(FileGlobTest, MatchesAreSortedByBytesWithPosixSyntaxOnly) {
  Scratch dir;
  for (const char* name : {"b.csv", "a.csv", "B.csv", ".hidden.csv", "c.txt"})
    write(dir / name, "");
  fs::create_directories(dir / "sub");
  write(dir / "sub/d.csv", "");
  std::string base = dir.path().string() + "/";
  EXPECT_EQ(glob_paths(base + "*.csv"),
            (std::vector<std::string>{base + "B.csv", base + "a.csv", base + "b.csv"}));
  EXPECT_EQ(glob_paths(base + "[ab].c?v"),
            (std::vector<std::string>{base + "a.csv", base + "b.csv"}));
  EXPECT_EQ(glob_paths(base + "*/*.csv"), (std::vector<std::string>{base + "sub/d.csv"}));
  // `**` is `*` twice: one component, no recursion; braces are literal.
  EXPECT_EQ(glob_paths(base + "**.txt"), (std::vector<std::string>{base + "c.txt"}));
  EXPECT_EQ(glob_paths(base + "{a,b}.csv"), std::vector<std::string>{});
  EXPECT_EQ(glob_paths(base + "*.none"), std::vector<std::string>{});
  Failure empty = failure_of([] { glob_paths(""); });
  EXPECT_TRUE(empty.permanent);
}

TEST(FileChecksumTest, Sha256OfKnownContentsAndTheExpectedCheck) {
  Scratch dir;
  write(dir / "abc", "abc");
  write(dir / "empty", "");
  Checksum abc = sha256_of(dir / "abc", nullptr);
  EXPECT_EQ(abc.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(abc.num_bytes, 3u);
  EXPECT_EQ(sha256_of(dir / "empty", nullptr).sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(expected_sha256("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
            abc.sha256);
  Failure short_hex = failure_of([] { expected_sha256("ba7816"); });
  EXPECT_TRUE(short_hex.permanent);
  EXPECT_EQ(short_hex.message,
            "parameter 'expected' must be a SHA-256 in hex (64 digits 0-9, a-f), but is 'ba7816'");
  Failure missing = failure_of([&] { sha256_of(dir / "nope", nullptr); });
  EXPECT_TRUE(missing.permanent);
  EXPECT_EQ(missing.message,
            "cannot open '" + (dir / "nope").string() + "': No such file or directory");
  Failure directory = failure_of([&] { sha256_of(dir.path(), nullptr); });
  EXPECT_TRUE(directory.permanent);
  EXPECT_EQ(directory.message, "cannot hash '" + dir.path().string() + "': it is a directory");
}

TEST(OsErrorTest, TransientErrorsAreRetryableAndTheRestPermanent) {
  for (int error : {EBUSY, EAGAIN, ENOSPC, EDQUOT, EIO, EINTR, ETXTBSY, EMFILE, ESTALE}) {
    EXPECT_TRUE(is_retryable_errno(error)) << error;
  }
  for (int error : {ENOENT, ENOTDIR, EISDIR, EACCES, EPERM, EEXIST, ENOTEMPTY, EROFS, ELOOP}) {
    EXPECT_FALSE(is_retryable_errno(error)) << error;
  }
  Failure full = failure_of([] { throw_os_error("cannot write 'out.csv'", ENOSPC); });
  EXPECT_TRUE(full.thrown);
  EXPECT_FALSE(full.permanent);
  EXPECT_EQ(full.message,
            "cannot write 'out.csv': No space left on device (free some space; "
            "retried per the task's retries)");
  Failure denied = failure_of([] { throw_os_error("cannot open 'in.csv'", EACCES); });
  EXPECT_TRUE(denied.permanent);
  EXPECT_EQ(denied.message, "cannot open 'in.csv': Permission denied");
}

}  // namespace
}  // namespace flowweaver
