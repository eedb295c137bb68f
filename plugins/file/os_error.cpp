#include "os_error.h"

#include <cerrno>
#include <cstring>
#include <flowweaver/sdk.hpp>
#include <stdexcept>

namespace flowweaver {
namespace {

// What the user can do about an error, where that is clear from the errno alone.
const char* hint_for(int error) {
  switch (error) {
    case EEXIST:
      return " (set overwrite: true to replace it)";
    case ENOTEMPTY:
      return " (set recursive: true to delete a directory and everything in it)";
    case ENOSPC:
    case EDQUOT:
      return " (free some space; retried per the task's retries)";
    default:
      return "";
  }
}

}  // namespace

bool is_retryable_errno(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case EISDIR:
    case EACCES:
    case EPERM:
    case EEXIST:
    case ENOTEMPTY:
    case EINVAL:
    case ELOOP:
    case ENAMETOOLONG:
    case EROFS:
    case EXDEV:
    case EFBIG:
    case EBADF:
      return false;
    default:
      // EBUSY, EAGAIN, ENOSPC, EDQUOT, EIO, EINTR, ETXTBSY, EMFILE, ENFILE, ENOMEM, ESTALE, ...
      return true;
  }
}

[[noreturn]] void throw_os_error(const std::string& doing, int error) {
  std::string message = doing + ": " + std::strerror(error) + hint_for(error);
  if (is_retryable_errno(error)) throw std::runtime_error(message);
  throw PermanentError(message);
}

std::string quoted(const std::string& path) { return "'" + path + "'"; }

}  // namespace flowweaver
