#include "output_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <flowweaver/sdk.hpp>
#include <stdexcept>
#include <system_error>

#include "unique_fd.h"

namespace flowweaver {
namespace {

std::string temp_root() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir && *tmpdir ? tmpdir : "/tmp";
}

std::string os_error(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

}  // namespace

OutputFile::OutputFile() {
  std::string pattern = temp_root() + "/flowweaver-output-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(
        os_error("cannot create the directory for $FLOWWEAVER_OUTPUT", pattern));
  }
  directory_ = pattern;
  path_ = directory_ / "output";
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    std::string message = os_error("cannot create", path_);
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    throw std::runtime_error(message);
  }
}

OutputFile::~OutputFile() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string OutputFile::read() const {
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw std::runtime_error(os_error("cannot read $FLOWWEAVER_OUTPUT file", path_));
  std::string content;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(os_error("cannot read $FLOWWEAVER_OUTPUT file", path_));
    if (n == 0) return content;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > kMaxBytes) {
      throw PermanentError("$FLOWWEAVER_OUTPUT file is larger than " + std::to_string(kMaxBytes) +
                           " bytes (the most it reads): pass large outputs through stdout or a "
                           "file of your own");
    }
  }
}

}  // namespace flowweaver
