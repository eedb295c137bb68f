#include "scaffold/scaffold_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

void write_new_file(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error::IO("cannot create " + path.string() + ": " + std::strerror(errno));
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      throw Error::IO("cannot write " + path.string() + ": " + why);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

// `dir` and those of the folders above it that do not exist yet, deepest first: what creating
// it makes, and so what a failure must remove.
std::vector<fs::path> missing_folders(const fs::path& dir) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = fs::absolute(dir, ec); !p.empty() && !fs::exists(fs::symlink_status(p, ec));
       p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  return missing;
}

}  // namespace

void write_scaffold(const fs::path& dir, const std::vector<ScaffoldFile>& files) {
  std::vector<fs::path> created = missing_folders(dir);
  std::vector<fs::path> written;
  std::error_code ec;
  try {
    if (!created.empty() && !fs::create_directories(dir, ec) && ec) {
      throw Error::IO("cannot create the directory " + dir.string() + ": " + ec.message());
    }
    for (const ScaffoldFile& f : files) {
      write_new_file(dir / f.relative_path, f.text);
      written.push_back(dir / f.relative_path);
    }
  } catch (const Error&) {
    for (const fs::path& p : written) fs::remove(p, ec);
    for (const fs::path& p : created) fs::remove(p, ec);  // only empty folders go
    throw;
  }
}

}  // namespace flowweaver
