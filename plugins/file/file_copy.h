// Copying a file, a symbolic link or a directory tree so that the destination appears whole or
// not at all: everything is written under a temporary name beside it, fsynced, then renamed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

namespace flowweaver {

struct CopyOptions {
  bool overwrite = false;  // replace an existing destination (see place() in atomic_place.h)
  bool recursive = false;  // a directory source is copied with everything in it
  // A symbolic link as the source: copy what it points to (file.copy), or the link itself
  // (file.move across filesystems). Links inside a copied tree are always copied as links.
  bool follow_source_link = true;
  std::function<bool()> cancelled;  // asked between chunks; true stops the copy
};

struct CopyStats {
  uint64_t num_files = 0;  // regular files written
  uint64_t num_bytes = 0;  // bytes of those files
  // The destination already was a file with the source's bytes and permissions: nothing was
  // written, even without overwrite (so a copy that completed before a crash can run again).
  bool already_there = false;
};

// Copies `source` to `destination`, which is the path of the copy itself (never a directory to
// copy into). Keeps permission bits (not owners or times). An existing destination is refused
// without overwrite, unless it is a file already identical to the source (already_there). Throws
// PermanentError for what a retry would meet again (a missing source, an existing destination
// without overwrite, a directory without recursive, a special file, a copy into itself) and
// std::runtime_error for the rest (a full disk, cancellation); nothing is left at `destination`
// after a failure.
CopyStats copy_path(const std::filesystem::path& source, const std::filesystem::path& destination,
                    const CopyOptions& options);

}  // namespace flowweaver
