#include "atomic_place.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <flowweaver/sdk.hpp>
#include <system_error>
#include <vector>

#include "os_error.h"

namespace flowweaver {
namespace fs = std::filesystem;
namespace {

// ".<name>.fw-<kind>-XXXXXX" beside `destination`, as mkstemp/mkdtemp want it (writable).
std::vector<char> name_template(const fs::path& destination, const char* kind) {
  fs::path name =
      parent_of(destination) / ("." + destination.filename().string() + ".fw-" + kind + "-XXXXXX");
  std::string text = name.string();
  return std::vector<char>(text.c_str(), text.c_str() + text.size() + 1);
}

void throw_exists(const fs::path& destination) {
  throw PermanentError("destination " + quoted(destination.string()) +
                       " exists: set overwrite: true to replace it");
}

bool is_directory_no_follow(const fs::path& path, bool& exists) {
  struct stat st;
  exists = ::lstat(path.c_str(), &st) == 0;
  return exists && S_ISDIR(st.st_mode);
}

// A directory replacing a directory: rename(2) replaces only an empty one.
void swap_directory_in(const fs::path& from, const fs::path& destination) {
  TempBeside aside = TempBeside::directory(destination);
  if (::rename(destination.c_str(), aside.path().c_str()) != 0) {
    throw_os_error("cannot move the old " + quoted(destination.string()) + " aside", errno);
  }
  if (::rename(from.c_str(), destination.c_str()) != 0) {
    int error = errno;
    ::rename(aside.path().c_str(), destination.c_str());  // put the old one back
    aside.release();
    throw_os_error("cannot rename " + quoted(from.string()) + " to " + quoted(destination.string()),
                   error);
  }
  // `aside` now holds the old tree; its destructor removes it.
}

bool rename_no_replace(const fs::path& from, const fs::path& destination) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, destination.c_str(), RENAME_NOREPLACE) == 0) {
    return true;
  }
  int error = errno;
  if (error == EXDEV) return false;
  if (error == EEXIST) throw_exists(destination);
  if (error != EINVAL && error != ENOSYS) {
    throw_os_error("cannot rename " + quoted(from.string()) + " to " + quoted(destination.string()),
                   error);
  }
  // A filesystem without RENAME_NOREPLACE: check, then rename (a race a writer could win).
  bool exists = false;
  is_directory_no_follow(destination, exists);
  if (exists) throw_exists(destination);
  if (::rename(from.c_str(), destination.c_str()) == 0) return true;
  error = errno;
  if (error == EXDEV) return false;
  throw_os_error("cannot rename " + quoted(from.string()) + " to " + quoted(destination.string()),
                 error);
}

bool rename_replacing(const fs::path& from, const fs::path& destination) {
  bool from_exists = false, destination_exists = false;
  bool from_is_directory = is_directory_no_follow(from, from_exists);
  bool destination_is_directory = is_directory_no_follow(destination, destination_exists);
  if (destination_exists && from_is_directory != destination_is_directory) {
    throw PermanentError("cannot replace " + quoted(destination.string()) + ": it is " +
                         (destination_is_directory ? "a directory and the source is not"
                                                   : "not a directory and the source is") +
                         "; delete it first (file.delete)");
  }
  if (destination_is_directory) {
    struct stat from_st, destination_st;
    if (::lstat(from.c_str(), &from_st) == 0 &&
        ::lstat(destination.c_str(), &destination_st) == 0 &&
        from_st.st_dev != destination_st.st_dev) {
      return false;
    }
    swap_directory_in(from, destination);
    return true;
  }
  if (::rename(from.c_str(), destination.c_str()) == 0) return true;
  int error = errno;
  if (error == EXDEV) return false;
  throw_os_error("cannot rename " + quoted(from.string()) + " to " + quoted(destination.string()),
                 error);
}

}  // namespace

TempBeside TempBeside::file(const fs::path& destination) {
  std::vector<char> name = name_template(destination, "tmp");
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    throw_os_error("cannot create a temporary file in " + quoted(parent_of(destination).string()) +
                       " for " + quoted(destination.string()),
                   errno);
  }
  return TempBeside(name.data(), UniqueFd(fd));
}

TempBeside TempBeside::directory(const fs::path& destination) {
  std::vector<char> name = name_template(destination, "tmp");
  if (::mkdtemp(name.data()) == nullptr) {
    throw_os_error("cannot create a temporary directory in " +
                       quoted(parent_of(destination).string()) + " for " +
                       quoted(destination.string()),
                   errno);
  }
  return TempBeside(name.data(), UniqueFd());
}

TempBeside::~TempBeside() {
  if (released_ || path_.empty()) return;
  fd_.reset();
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void check_destination_name(const fs::path& destination, const std::string& param) {
  fs::path name = destination.filename();
  if (destination.empty() || name.empty() || name == "." || name == "..") {
    throw PermanentError("parameter '" + param + "' must name a file or directory, but is " +
                         quoted(destination.string()) +
                         " (give the full path of the result, e.g. out/report.csv)");
  }
}

bool place(const fs::path& from, const fs::path& destination, bool overwrite) {
  bool placed =
      overwrite ? rename_replacing(from, destination) : rename_no_replace(from, destination);
  if (!placed) return false;
  fsync_directory(parent_of(destination));
  if (parent_of(from) != parent_of(destination)) fsync_directory(parent_of(from));
  return true;
}

void fsync_directory(const fs::path& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) throw_os_error("cannot open directory " + quoted(directory.string()), errno);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    throw_os_error("cannot fsync directory " + quoted(directory.string()), errno);
  }
}

fs::path parent_of(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace flowweaver
