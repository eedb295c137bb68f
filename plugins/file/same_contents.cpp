#include "same_contents.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "os_error.h"
#include "unique_fd.h"

namespace flowweaver {
namespace {

constexpr size_t kChunkBytes = 1 << 16;

// Reads up to `size` bytes, fewer only at the end of the file.
size_t read_full(int fd, char* data, size_t size, const std::filesystem::path& path) {
  size_t total = 0;
  while (total < size) {
    ssize_t got = ::read(fd, data + total, size - total);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_os_error("cannot read " + quoted(path.string()), errno);
    if (got == 0) break;
    total += static_cast<size_t>(got);
  }
  return total;
}

UniqueFd open_for_reading(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw_os_error("cannot open " + quoted(path.string()), errno);
  return fd;
}

}  // namespace

bool same_contents(const std::filesystem::path& source, const std::filesystem::path& destination,
                   const std::function<bool()>& cancelled) {
  struct stat from, to;
  if (::stat(source.c_str(), &from) != 0 || ::lstat(destination.c_str(), &to) != 0) return false;
  // One file under two names is not a copy of itself: a move would delete it.
  if (from.st_dev == to.st_dev && from.st_ino == to.st_ino) return false;
  if (!S_ISREG(from.st_mode) || !S_ISREG(to.st_mode) || from.st_size != to.st_size ||
      (from.st_mode & 07777) != (to.st_mode & 07777)) {
    return false;
  }
  UniqueFd a = open_for_reading(source);
  UniqueFd b = open_for_reading(destination);
  std::vector<char> left(kChunkBytes), right(kChunkBytes);
  while (true) {
    if (cancelled && cancelled()) {
      throw std::runtime_error("cancelled while comparing " + quoted(source.string()) + " with " +
                               quoted(destination.string()));
    }
    size_t got = read_full(a.get(), left.data(), left.size(), source);
    if (read_full(b.get(), right.data(), right.size(), destination) != got) return false;
    if (std::memcmp(left.data(), right.data(), got) != 0) return false;
    if (got < left.size()) return true;
  }
}

}  // namespace flowweaver
