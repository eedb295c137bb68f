// A state directory holds many workflows' state side by side, one `<workflow>.db` each (as in
// /var/lib/flowweaver); `status` and `history` accept it wherever they accept a state file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "state/state_location.h"
#include "state/state_store.h"

namespace flowweaver {

bool is_state_directory(const std::string& path);

struct DirectoryStore {
  std::string path;
  std::unique_ptr<StateStore> store;
};

struct StateDirectory {
  std::vector<DirectoryStore> stores;  // in file name order
  size_t num_unreadable = 0;           // files skipped, each reported on stderr
};

// Opens every `*.db` file in `dir` read-only. A file that cannot be opened is reported on stderr
// and skipped. Throws Error::NotFound when `dir` holds no state file at all.
StateDirectory open_state_directory(const std::string& dir);

}  // namespace flowweaver
