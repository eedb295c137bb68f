#include "service/directory_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace flowweaver {

DirectoryWatcher::DirectoryWatcher(const std::vector<std::filesystem::path>& dirs,
                                   std::function<void()> changed)
    : changed_(std::move(changed)) {
  inotify_fd_ = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (inotify_fd_ < 0 || wake_fd_ < 0) {
    std::string why = std::strerror(errno);
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    throw Error::IO("cannot watch directories (inotify): " + why);
  }
  // IN_CLOSE_WRITE, not IN_MODIFY: a file being copied is looked at once the copy is closed.
  const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;
  for (const std::filesystem::path& dir : dirs) {
    inotify_add_watch(inotify_fd_, dir.c_str(), mask);  // a missing directory is not an error
  }
  thread_ = std::thread([this] { loop(); });
}

DirectoryWatcher::~DirectoryWatcher() {
  uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // Cannot happen for an eventfd below its maximum; the join below would then hang, so say so.
    std::abort();
  }
  thread_.join();
  ::close(inotify_fd_);
  ::close(wake_fd_);
}

void DirectoryWatcher::loop() {
  alignas(inotify_event) char buffer[4096];
  while (true) {
    pollfd fds[2] = {{inotify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    bool any = false;
    while (::read(inotify_fd_, buffer, sizeof buffer) > 0) any = true;
    if (any) changed_();
  }
}

}  // namespace flowweaver
