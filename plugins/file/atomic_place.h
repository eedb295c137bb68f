// Putting a finished file or directory in place with one rename, so that a reader sees the old
// destination or the new one and never half of either, and making that rename durable.
#pragma once

#include <filesystem>
#include <string>
#include <utility>

#include "unique_fd.h"

namespace flowweaver {

// A file or directory created beside its destination (same directory, so same filesystem)
// under a hidden name, ".<name>.fw-tmp-XXXXXX". Removed when this object goes away, unless
// release() was called once it was renamed into place. A kill -9 can leave one behind; its name
// says what it is.
class TempBeside {
 public:
  // A new empty file (mode 0600) beside `destination`; fd() is open for writing.
  static TempBeside file(const std::filesystem::path& destination);
  // A new empty directory (mode 0700) beside `destination`.
  static TempBeside directory(const std::filesystem::path& destination);

  TempBeside(TempBeside&& other) noexcept
      : path_(std::exchange(other.path_, {})),
        fd_(std::move(other.fd_)),
        released_(std::exchange(other.released_, true)) {}
  TempBeside& operator=(TempBeside&&) = delete;
  ~TempBeside();

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_.get(); }
  void close_fd() { fd_.reset(); }
  void release() { released_ = true; }

 private:
  TempBeside(std::filesystem::path path, UniqueFd fd)
      : path_(std::move(path)), fd_(std::move(fd)) {}
  std::filesystem::path path_;
  UniqueFd fd_;
  bool released_ = false;
};

// Checks that `destination` ends in a name (not "", "/", "." or ".."), so that a temporary
// sibling can be made for it; throws PermanentError naming the parameter otherwise.
void check_destination_name(const std::filesystem::path& destination, const std::string& param);

// Renames `from` to `destination` and fsyncs the directories involved. Without `overwrite`, an
// existing destination is refused (PermanentError; atomically where the filesystem supports
// RENAME_NOREPLACE). With it, a file replaces a file in one rename, and a directory replaces a
// directory: the old one is renamed aside, the new one into place, and then the old one is
// removed. A file never replaces a directory, nor a directory a file. Returns false, having
// changed nothing, when `from` is on another filesystem (EXDEV); throws on any other failure.
bool place(const std::filesystem::path& from, const std::filesystem::path& destination,
           bool overwrite);

// fsync of a directory, so that a rename or unlink in it survives a crash.
void fsync_directory(const std::filesystem::path& directory);

// The directory holding `path` ("." for a bare name).
std::filesystem::path parent_of(const std::filesystem::path& path);

}  // namespace flowweaver
