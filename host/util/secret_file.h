// Reads a file that holds one secret (a token, a password): what systemd's LoadCredential=
// and `echo value > file` both write.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace flowweaver {

// The file's bytes without one trailing line break ("\n" or "\r\n"), which editors and `echo`
// add. Returns nothing and sets `problem` (a phrase to follow the file's name, e.g. "cannot be
// read: Permission denied" or "is empty") when the file cannot be read or holds nothing.
std::optional<std::string> read_secret_file(const std::filesystem::path& file,
                                            std::string* problem);

}  // namespace flowweaver
