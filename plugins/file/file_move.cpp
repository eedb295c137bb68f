#include "file_move.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "atomic_place.h"
#include "file_copy.h"
#include "os_error.h"
#include "same_contents.h"

namespace flowweaver {
namespace fs = std::filesystem;
namespace {

void remove_source(const fs::path& source, bool is_directory) {
  if (is_directory) {
    std::error_code error;
    fs::remove_all(source, error);
    if (error) {
      throw_os_error("copied, but cannot delete the source " + quoted(source.string()),
                     error.value());
    }
  } else if (::unlink(source.c_str()) != 0) {
    throw_os_error("copied, but cannot delete the source " + quoted(source.string()), errno);
  }
  fsync_directory(parent_of(source));
}

}  // namespace

MoveResult move_path(const fs::path& source, const fs::path& destination, bool overwrite,
                     const std::function<bool()>& cancelled) {
  check_destination_name(destination, "destination");
  struct stat st;
  if (::lstat(source.c_str(), &st) != 0)
    throw_os_error("cannot move " + quoted(source.string()), errno);
  if (!overwrite && S_ISREG(st.st_mode) && same_contents(source, destination, cancelled)) {
    remove_source(source, false);
    return {false, true};
  }
  if (place(source, destination, overwrite)) return {};
  CopyOptions options;
  options.overwrite = overwrite;
  options.recursive = true;
  options.follow_source_link = false;
  options.cancelled = cancelled;
  copy_path(source, destination, options);
  remove_source(source, S_ISDIR(st.st_mode));
  return {true, false};
}

}  // namespace flowweaver
