#include "file_copy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <flowweaver/sdk.hpp>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "atomic_place.h"
#include "os_error.h"
#include "same_contents.h"
#include "unique_fd.h"

namespace flowweaver {
namespace fs = std::filesystem;
namespace {

constexpr size_t kChunkBytes = 1 << 20;
constexpr mode_t kPermissionBits = 07777;

void check_cancelled(const CopyOptions& options, const fs::path& source) {
  if (options.cancelled && options.cancelled()) {
    throw std::runtime_error("cancelled while copying " + quoted(source.string()));
  }
}

void write_all(int fd, const char* data, size_t size, const fs::path& destination) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) throw_os_error("cannot write " + quoted(destination.string()), errno);
    data += written;
    size -= static_cast<size_t>(written);
  }
}

// The bytes of `source` into `out` (a new file for `destination`), then its permissions and an
// fsync.
uint64_t copy_contents(const fs::path& source, int out, const fs::path& destination,
                       const CopyOptions& options) {
  UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) throw_os_error("cannot open " + quoted(source.string()), errno);
  struct stat st;
  if (::fstat(in.get(), &st) != 0) throw_os_error("cannot stat " + quoted(source.string()), errno);
  std::vector<char> buffer(kChunkBytes);
  uint64_t num_bytes = 0;
  while (true) {
    check_cancelled(options, source);
    ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_os_error("cannot read " + quoted(source.string()), errno);
    if (got == 0) break;
    write_all(out, buffer.data(), static_cast<size_t>(got), destination);
    num_bytes += static_cast<uint64_t>(got);
  }
  if (::fchmod(out, st.st_mode & kPermissionBits) != 0) {
    throw_os_error("cannot set the permissions of " + quoted(destination.string()), errno);
  }
  if (::fsync(out) != 0) throw_os_error("cannot fsync " + quoted(destination.string()), errno);
  return num_bytes;
}

void copy_link(const fs::path& source, const fs::path& destination) {
  std::error_code error;
  fs::path target = fs::read_symlink(source, error);
  if (error) throw_os_error("cannot read the link " + quoted(source.string()), error.value());
  if (::symlink(target.c_str(), destination.c_str()) != 0) {
    throw_os_error("cannot create the link " + quoted(destination.string()), errno);
  }
}

[[noreturn]] void throw_special(const fs::path& source) {
  throw PermanentError("cannot copy " + quoted(source.string()) +
                       ": it is not a regular file, directory or symbolic link");
}

void copy_tree(const fs::path& source, const fs::path& destination, const CopyOptions& options,
               CopyStats& stats);

// One entry of a tree into `destination`, which does not exist yet.
void copy_entry(const fs::path& source, const fs::path& destination, const CopyOptions& options,
                CopyStats& stats) {
  struct stat st;
  if (::lstat(source.c_str(), &st) != 0)
    throw_os_error("cannot stat " + quoted(source.string()), errno);
  if (S_ISDIR(st.st_mode)) {
    if (::mkdir(destination.c_str(), 0700) != 0) {
      throw_os_error("cannot create directory " + quoted(destination.string()), errno);
    }
    copy_tree(source, destination, options, stats);
    // Last, so that a read-only directory could still be filled.
    if (::chmod(destination.c_str(), st.st_mode & kPermissionBits) != 0) {
      throw_os_error("cannot set the permissions of " + quoted(destination.string()), errno);
    }
  } else if (S_ISREG(st.st_mode)) {
    UniqueFd out(::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out.valid()) throw_os_error("cannot create " + quoted(destination.string()), errno);
    stats.num_bytes += copy_contents(source, out.get(), destination, options);
    ++stats.num_files;
  } else if (S_ISLNK(st.st_mode)) {
    copy_link(source, destination);
  } else {
    throw_special(source);
  }
}

void copy_tree(const fs::path& source, const fs::path& destination, const CopyOptions& options,
               CopyStats& stats) {
  std::error_code error;
  fs::directory_iterator entries(source, error);
  if (error) throw_os_error("cannot read directory " + quoted(source.string()), error.value());
  for (; entries != fs::directory_iterator(); entries.increment(error)) {
    check_cancelled(options, source);
    copy_entry(entries->path(), destination / entries->path().filename(), options, stats);
  }
  if (error) throw_os_error("cannot read directory " + quoted(source.string()), error.value());
  fsync_directory(destination);
}

// A copy into the source's own tree would copy itself forever.
void check_not_inside(const fs::path& source, const fs::path& destination) {
  std::error_code error;
  fs::path from = fs::weakly_canonical(fs::absolute(source), error);
  fs::path to = fs::weakly_canonical(fs::absolute(destination), error);
  if (error) return;  // the copy itself will report what is wrong
  auto [from_end, to_at] = std::mismatch(from.begin(), from.end(), to.begin(), to.end());
  if (from_end == from.end()) {
    throw PermanentError("cannot copy " + quoted(source.string()) + " to " +
                         quoted(destination.string()) + ": the destination is inside the source");
  }
}

void finish(TempBeside& temp, const fs::path& source, const fs::path& destination, bool overwrite) {
  if (!place(temp.path(), destination, overwrite)) {
    throw std::logic_error("a temporary copy beside " + destination.string() +
                           " is on another filesystem than " + source.string());
  }
  temp.release();
}

}  // namespace

CopyStats copy_path(const fs::path& source, const fs::path& destination,
                    const CopyOptions& options) {
  check_destination_name(destination, "destination");
  struct stat st;
  int found =
      options.follow_source_link ? ::stat(source.c_str(), &st) : ::lstat(source.c_str(), &st);
  if (found != 0) throw_os_error("cannot copy " + quoted(source.string()), errno);
  struct stat existing;
  if (!options.overwrite && ::lstat(destination.c_str(), &existing) == 0) {
    if (S_ISREG(st.st_mode) && same_contents(source, destination, options.cancelled)) {
      return {1, static_cast<uint64_t>(st.st_size), true};
    }
    throw PermanentError("destination " + quoted(destination.string()) +
                         " exists: set overwrite: true to replace it");
  }
  CopyStats stats;
  if (S_ISREG(st.st_mode)) {
    TempBeside temp = TempBeside::file(destination);
    stats.num_bytes = copy_contents(source, temp.fd(), destination, options);
    stats.num_files = 1;
    temp.close_fd();
    finish(temp, source, destination, options.overwrite);
  } else if (S_ISDIR(st.st_mode)) {
    if (!options.recursive) {
      throw PermanentError(quoted(source.string()) +
                           " is a directory: set recursive: true to copy it with everything in it");
    }
    check_not_inside(source, destination);
    TempBeside temp = TempBeside::directory(destination);
    copy_tree(source, temp.path(), options, stats);
    if (::chmod(temp.path().c_str(), st.st_mode & kPermissionBits) != 0) {
      throw_os_error("cannot set the permissions of " + quoted(destination.string()), errno);
    }
    finish(temp, source, destination, options.overwrite);
  } else if (S_ISLNK(st.st_mode)) {
    TempBeside temp = TempBeside::directory(destination);  // a private place to make the link in
    fs::path link = temp.path() / "link";
    copy_link(source, link);
    if (!place(link, destination, options.overwrite)) throw std::logic_error("link on another fs");
  } else {
    throw_special(source);
  }
  return stats;
}

}  // namespace flowweaver
