// Watches directories with inotify and calls back when a file in one of them was written,
// moved in or out, or deleted: how a copied plugin or manifest takes effect without a restart.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

namespace flowweaver {

class DirectoryWatcher {
 public:
  // Directories that do not exist are skipped (SIGHUP still reloads). Throws Error::IO when
  // inotify itself is unavailable.
  DirectoryWatcher(const std::vector<std::filesystem::path>& dirs, std::function<void()> changed);
  ~DirectoryWatcher();  // stops the thread

  DirectoryWatcher(const DirectoryWatcher&) = delete;
  DirectoryWatcher& operator=(const DirectoryWatcher&) = delete;

 private:
  void loop();

  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd that ends loop()
  std::function<void()> changed_;
  std::thread thread_;
};

}  // namespace flowweaver
