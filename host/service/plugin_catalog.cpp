#include "service/plugin_catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "util/error.h"
#include "workflow.h"

namespace flowweaver {

namespace fs = std::filesystem;

namespace {

// Each load gets a directory of its own in the cache, removed once the library is loaded.
constexpr const char* kLoadDirSuffix = ".fwload";
// What earlier versions left there: single copies.
constexpr const char* kOldCopySuffix = ".fwcopy.so";

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error::PluginLoad("plugin " + file.string() + ": cannot be read");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error::IO("cannot write the plugin copy " + file.string());
}

// A plugin finds the libraries it bundles through its `$ORIGIN` RUNPATH, which the loader takes
// from the path it was opened by: the private copy's directory. So everything beside the plugin
// file (its libraries, and any subdirectory $ORIGIN names) is linked into that directory too;
// the loader follows the links to the files in the plugin's own directory.
void link_neighbours(const fs::path& plugin_file, const fs::path& load_dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(plugin_file.parent_path(), ec)) {
    fs::path name = entry.path().filename();
    if (name == plugin_file.filename() || name.string()[0] == '.') continue;
    fs::create_symlink(fs::absolute(entry.path(), ec), load_dir / name, ec);
  }
}

}  // namespace

PluginCatalog::PluginCatalog(std::vector<fs::path> dirs, fs::path cache_dir,
                             std::shared_ptr<spdlog::logger> log)
    : dirs_(std::move(dirs)),
      cache_dir_(std::move(cache_dir)),
      log_(std::move(log)),
      registry_(std::make_shared<PluginRegistry>()) {
  std::error_code ec;
  fs::create_directories(cache_dir_, ec);
  if (ec || !fs::is_directory(cache_dir_)) {
    throw Error::IO("cannot create the plugin cache directory " + cache_dir_.string() + ": " +
                    ec.message());
  }
  // Copies are removed once their plugin is unloaded; any left here belong to a process that
  // died.
  for (const auto& entry : fs::directory_iterator(cache_dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(kLoadDirSuffix) || name.ends_with(kOldCopySuffix)) {
      fs::remove_all(entry.path(), ec);
    }
  }
}

std::shared_ptr<const PluginRegistry> PluginCatalog::registry() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return registry_;
}

std::vector<fs::path> PluginCatalog::scan() const {
  std::vector<fs::path> files;
  std::set<fs::path> visited;
  for (const fs::path& dir : dirs_) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    if (!visited.insert(fs::weakly_canonical(dir, ec)).second) continue;
    std::vector<fs::path> in_dir;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      // Hidden files are how deploy tools stage a copy before renaming it into place.
      std::string name = entry.path().filename().string();
      if (entry.path().extension() == ".so" && name[0] != '.') in_dir.push_back(entry.path());
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

std::shared_ptr<const LoadedPlugin> PluginCatalog::load_private_copy(const fs::path& file,
                                                                     const FileStamp& stamp) {
  std::string bytes = read_bytes(file);
  struct stat after {};
  if (::stat(file.c_str(), &after) != 0 || after.st_size != stamp.size ||
      after.st_ino != stamp.inode || static_cast<off_t>(bytes.size()) != stamp.size) {
    throw Error::PluginLoad("plugin " + file.string() +
                            ": the file changed while it was read (still being copied?); it is "
                            "tried again when it changes");
  }
  // A path of its own per copy: dlopen must never match an already-loaded library by name.
  fs::path load_dir = cache_dir_ / (file.stem().string() + "." + content_hash(bytes) + "." +
                                    std::to_string(++copies_made_) + kLoadDirSuffix);
  std::error_code ec;
  if (!fs::create_directory(load_dir, ec)) {
    throw Error::IO("cannot create " + load_dir.string() +
                    " to load a copy of the plugin: " + (ec ? ec.message() : "it exists"));
  }
  // The copy stays while the plugin is loaded: the child process of an isolated task loads it
  // (LoadedPlugin::loaded_from), so a run keeps the version it started with. The directory goes
  // with the last reference to the plugin; one left by a process that died goes at the next
  // start (the constructor).
  struct PinnedCopy {
    fs::path dir;
    std::shared_ptr<const LoadedPlugin> plugin;
    ~PinnedCopy() {
      std::error_code ec;
      fs::remove_all(dir, ec);  // the mappings stay valid
    }
  };
  auto pinned = std::make_shared<PinnedCopy>();
  pinned->dir = load_dir;
  fs::path copy = load_dir / file.filename();
  write_bytes(copy, bytes);
  link_neighbours(file, load_dir);
  pinned->plugin = load_plugin(file, copy);
  return std::shared_ptr<const LoadedPlugin>(pinned, pinned->plugin.get());
}

bool PluginCatalog::refresh() {
  std::vector<fs::path> files = scan();
  bool changed = false;
  std::set<fs::path> present(files.begin(), files.end());
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second.plugin) {
      log_->info("plugin file {} was removed: plugin '{}' is no longer offered to new runs",
                 it->first.string(), it->second.plugin->name());
      changed = true;
    }
    it = entries_.erase(it);
  }
  for (const fs::path& file : files) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    FileStamp stamp{st.st_dev, st.st_ino, st.st_size,
                    static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    Entry& entry = entries_[file];
    if (entry.stamp == stamp) continue;
    entry.stamp = stamp;
    try {
      std::shared_ptr<const LoadedPlugin> plugin = load_private_copy(file, stamp);
      log_->info("loaded plugin '{}' {} from {} sha256={}{}", plugin->name(), plugin->version(),
                 file.string(), plugin->sha256(),
                 entry.plugin ? " (replacing the version in service)" : "");
      entry.plugin = std::move(plugin);
      changed = true;
    } catch (const Error& e) {
      log_->error("refused {}{}", e.what(),
                  entry.plugin ? "; the version loaded before stays in service" : "");
    }
  }
  if (!changed) return false;
  auto registry = std::make_shared<PluginRegistry>();
  for (const fs::path& file : files) {
    auto it = entries_.find(file);
    if (it == entries_.end() || !it->second.plugin) continue;
    const std::shared_ptr<const LoadedPlugin>& plugin = it->second.plugin;
    if (!registry->add(plugin)) {
      log_->warn("plugin file {}: plugin '{}' is already loaded from {}; ignored", file.string(),
                 plugin->name(), registry->find(plugin->name())->path().string());
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  registry_ = std::move(registry);
  return true;
}

}  // namespace flowweaver
