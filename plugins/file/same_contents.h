// Whether a destination already holds what a copy would write: how file.copy and file.move
// stay idempotent when a run resumes after the host died between the rename and the task's
// COMPLETED record.
#pragma once

#include <filesystem>
#include <functional>

namespace flowweaver {

// True when `source` (links followed) and `destination` (not followed) are both regular files
// with the same permission bits and the same bytes, and are not one file (the same inode, by
// the same name, a hard link or a link to it). `cancelled` is asked between chunks (true
// stops with std::runtime_error). Read errors throw as os_error.h classifies them.
bool same_contents(const std::filesystem::path& source, const std::filesystem::path& destination,
                   const std::function<bool()>& cancelled);

}  // namespace flowweaver
