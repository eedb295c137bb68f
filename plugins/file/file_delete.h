// Deleting a file, link or directory tree, refusing the paths that can only be mistakes.
#pragma once

#include <cstdint>
#include <filesystem>

namespace flowweaver {

struct DeleteResult {
  bool deleted = false;      // false: the path did not exist (and missing_ok allowed that)
  uint64_t num_removed = 0;  // files, links and directories removed
};

// Deletes `path`. Refuses (PermanentError) the empty path and any path that is the root
// directory ("/", "//", "/tmp/..", a relative path that resolves to it); a symbolic link is
// deleted itself, never what it points to. A directory needs `recursive`. A missing path is
// fine when `missing_ok` (so a task that deleted it and was then killed can run again),
// a permanent failure otherwise.
DeleteResult delete_path(const std::filesystem::path& path, bool recursive, bool missing_ok);

}  // namespace flowweaver
