// Moving a file, link or directory: one rename on the same filesystem; across filesystems a
// copy beside the destination (temporary name, fsync, rename), then removal of the source.
#pragma once

#include <filesystem>
#include <functional>

namespace flowweaver {

struct MoveResult {
  bool across_filesystems = false;  // true when the move was a copy and a delete
  // The destination already was a file identical to the source, which was then deleted: a move
  // across filesystems that a crash stopped between its copy and its delete is finished.
  bool already_there = false;
};

// Moves `source` to `destination` (the new path itself, never a directory to move into). Without
// `overwrite` an existing destination is refused. Across filesystems the destination appears
// whole or not at all, and the source is removed only once the copy is durable: a crash in
// between leaves both, never neither. `cancelled` is asked while copying. Errors as copy_path.
MoveResult move_path(const std::filesystem::path& source, const std::filesystem::path& destination,
                     bool overwrite, const std::function<bool()>& cancelled);

}  // namespace flowweaver
