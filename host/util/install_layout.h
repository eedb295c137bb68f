// Where the installed files are, found from the running executable, so that an installed tree
// (and the build tree, which mirrors its layout) works wherever its prefix is. `flowweaver`
// sits in <bindir>; `flowweaver-serve` and `flowweaver-task` in <libexecdir>/flowweaver.
#pragma once

#include <filesystem>

namespace flowweaver {

// `from_bindir` (a path relative to <bindir>, as CMake computed it at configure time) made
// absolute against the <bindir> of the installation the running executable belongs to; just
// `fallback` when that is unknown (/proc/self/exe cannot be read).
std::filesystem::path installed_path(const char* from_bindir, const char* fallback);

}  // namespace flowweaver
