#include "state/state_backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "state/state_location.h"
#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::strerror(errno); }

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    std::string why = errno_text();
    if (fd >= 0) ::close(fd);
    throw Error::IO("cannot sync " + path + " to disk: " + why);
  }
  ::close(fd);
}

std::string directory_of(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0600;
  return st.st_mode & 0666;
}

void require_state_file(const std::string& state) {
  std::error_code ec;
  if (!fs::exists(state, ec)) throw Error::NotFound("no state at " + state);
  if (!fs::is_regular_file(state, ec)) {
    throw Error::State(state + " is not a regular file; give a state file");
  }
}

}  // namespace

StateBackup back_up_state(const std::string& location, const std::string& dest) {
  const StateLocation where = parse_state_location(location);
  if (where.backend == StateBackendKind::kPostgres) return back_up_postgres_state(where.path);
  require_state_file(where.path);
  return where.backend == StateBackendKind::kJson ? back_up_json_state(where.path, dest)
                                                  : back_up_sqlite_state(where.path, dest);
}

void check_backup_destination(const std::string& state, const std::string& dest) {
  std::error_code ec, ec2;
  if (fs::is_directory(dest, ec)) {
    throw Error::InvalidArgument(dest + " is a directory; give the backup's file name, e.g. " +
                                 (fs::path(dest) / fs::path(state).filename()).string() +
                                 ".YYYYMMDD");
  }
  bool same = fs::exists(dest, ec) && fs::equivalent(state, dest, ec);
  fs::path canonical_state = fs::weakly_canonical(state, ec);
  fs::path canonical_dest = fs::weakly_canonical(dest, ec2);
  if (same || (!ec && !ec2 && canonical_state == canonical_dest)) {
    throw Error::InvalidArgument(dest + " is the state file itself; give another path");
  }
  std::string dir = directory_of(dest);
  if (!fs::exists(dir, ec)) {
    throw Error::IO("the backup's directory " + dir + " does not exist; create it first");
  }
  if (!fs::is_directory(dir, ec))
    throw Error::IO("the backup's directory " + dir + " is not a directory");
  if (::access(dir.c_str(), W_OK) != 0) {
    throw Error::IO("cannot write in the backup's directory " + dir + ": " + errno_text());
  }
  // A WAL file beside DEST would be replayed into the new backup the next time it is opened.
  if (fs::exists(dest + "-wal", ec)) {
    throw Error::IO(dest + "-wal exists: " + dest +
                    " is open elsewhere or was not closed cleanly, and replacing it now could "
                    "corrupt the backup; remove that file or choose another name");
  }
}

PendingBackup::PendingBackup(std::string dest, const std::string& state)
    : dest_(std::move(dest)), path_(dest_ + ".tmp-" + std::to_string(::getpid())) {
  remove_all();  // a leftover of an earlier backup that died, by a process of the same id
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_of(state));
  if (fd_ < 0) throw Error::IO("cannot create " + path_ + ": " + errno_text());
}

PendingBackup::~PendingBackup() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) remove_all();
}

void PendingBackup::write(const std::string& bytes) {
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error::IO("cannot write " + path_ + ": " + errno_text());
    done += static_cast<size_t>(n);
  }
}

void PendingBackup::commit() {
  ::close(fd_);
  fd_ = -1;
  fsync_path(path_, O_RDONLY);
  if (std::rename(path_.c_str(), dest_.c_str()) != 0) {
    throw Error::IO("cannot rename " + path_ + " to " + dest_ + ": " + errno_text());
  }
  committed_ = true;
  fsync_path(directory_of(dest_), O_RDONLY | O_DIRECTORY);
}

void PendingBackup::remove_all() {
  std::error_code ec;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(path_ + suffix, ec);
}

}  // namespace flowweaver
