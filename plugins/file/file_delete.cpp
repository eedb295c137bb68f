#include "file_delete.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <flowweaver/sdk.hpp>
#include <system_error>

#include "atomic_place.h"
#include "os_error.h"

namespace flowweaver {
namespace fs = std::filesystem;
namespace {

bool is_root(const fs::path& path) {
  std::error_code error;
  fs::path resolved = fs::weakly_canonical(fs::absolute(path), error);
  if (error) resolved = fs::absolute(path).lexically_normal();
  return resolved == resolved.root_path();
}

// "dir/" names "dir": its parent is the directory to fsync afterwards.
fs::path without_trailing_slash(fs::path path) {
  while (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  return path;
}

}  // namespace

DeleteResult delete_path(const fs::path& given, bool recursive, bool missing_ok) {
  if (given.empty()) {
    throw PermanentError("refusing to delete the empty path: give `path` the file to delete");
  }
  fs::path path = without_trailing_slash(given);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT && missing_ok) return {};
    throw_os_error("cannot delete " + quoted(path.string()), errno);
  }
  if (!S_ISLNK(st.st_mode) && is_root(path)) {
    throw PermanentError("refusing to delete " + quoted(path.string()) +
                         ": it is the root directory");
  }
  DeleteResult result{true, 1};
  if (S_ISDIR(st.st_mode)) {
    if (!recursive) {
      throw PermanentError("cannot delete " + quoted(path.string()) +
                           ": it is a directory; set recursive: true to delete it and "
                           "everything in it");
    }
    std::error_code error;
    result.num_removed = fs::remove_all(path, error);
    if (error) throw_os_error("cannot delete " + quoted(path.string()), error.value());
  } else if (::unlink(path.c_str()) != 0) {
    throw_os_error("cannot delete " + quoted(path.string()), errno);
  }
  fsync_directory(parent_of(path));
  return result;
}

}  // namespace flowweaver
