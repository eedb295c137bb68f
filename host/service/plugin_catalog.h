// The service's plugins, kept current while it runs: the plugin directories are rescanned on
// demand, and every file is loaded from a private copy named by its content. A file replaced
// by a new version therefore loads as a new library (dlopen of an already-loaded path would
// return the old one), runs in progress keep the version they started with, and a file being
// overwritten in place can never change code the host has mapped.
#pragma once

#include <spdlog/logger.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "plugin/plugin_registry.h"

namespace flowweaver {

class PluginCatalog {
 public:
  // `cache_dir` holds the private copies; it is created, and emptied of copies left by an earlier
  // process. Throws Error::IO when it cannot be.
  PluginCatalog(std::vector<std::filesystem::path> dirs, std::filesystem::path cache_dir,
                std::shared_ptr<spdlog::logger> log);

  // Loads new and changed files, drops deleted ones. A file that cannot be loaded (not a plugin,
  // wrong ABI, still being copied) is refused with a logged error, and the version loaded from
  // it before, if any, stays in service. Returns true when the set of plugins changed.
  bool refresh();

  // The plugins in service now; the snapshot keeps its libraries loaded for as long as it is held.
  std::shared_ptr<const PluginRegistry> registry() const;

 private:
  // What a file looked like when it was last examined: a change means a new version.
  struct FileStamp {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  struct Entry {
    FileStamp stamp;                             // of the last version examined
    std::shared_ptr<const LoadedPlugin> plugin;  // the version in service; may be older
  };

  std::shared_ptr<const LoadedPlugin> load_private_copy(const std::filesystem::path& file,
                                                        const FileStamp& stamp);
  std::vector<std::filesystem::path> scan() const;

  std::vector<std::filesystem::path> dirs_;
  std::filesystem::path cache_dir_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::filesystem::path, Entry> entries_;  // by file in the plugin directories
  uint64_t copies_made_ = 0;

  mutable std::mutex mutex_;  // guards registry_ (read by HTTP threads)
  std::shared_ptr<const PluginRegistry> registry_;
};

}  // namespace flowweaver
