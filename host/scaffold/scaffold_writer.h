// Writes a scaffold's files (plugin_scaffold.h) all or none: new-plugin never leaves a folder
// half-written, nor touches a file that was there before.
#pragma once

#include <filesystem>
#include <vector>

#include "scaffold/plugin_scaffold.h"

namespace flowweaver {

// Writes every file into `dir`, creating it (and the folders above it) if missing. A file that
// already exists is not replaced: that is an error. On any error (Error::IO, naming the path and
// the system's reason) the files written so far, and `dir` if this call created it, are removed
// before it is thrown.
void write_scaffold(const std::filesystem::path& dir, const std::vector<ScaffoldFile>& files);

}  // namespace flowweaver
