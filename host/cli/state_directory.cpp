#include "cli/state_directory.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "state/state_location.h"
#include "util/error.h"
#include "util/printable.h"

namespace flowweaver {
namespace fs = std::filesystem;

bool is_state_directory(const std::string& path) {
  std::error_code ec;
  return !path.empty() && fs::is_directory(path, ec);
}

StateDirectory open_state_directory(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (is_directory_state_file(entry.path()) && entry.is_regular_file(ec)) {
      files.push_back(entry.path().string());
    }
  }
  if (ec) throw Error::IO("cannot list the state directory " + dir + ": " + ec.message());
  if (files.empty()) throw Error::NotFound("no state files (*.db) in " + dir);
  std::sort(files.begin(), files.end());
  StateDirectory result;
  for (const std::string& file : files) {
    try {
      result.stores.push_back({file, open_existing_state_store(file, Access::kReadOnly)});
    } catch (const Error& e) {
      std::cerr << "warning: skipping " << printable(file) << ": " << printable(e.what()) << "\n";
      ++result.num_unreadable;
    }
  }
  return result;
}

}  // namespace flowweaver
