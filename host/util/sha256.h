// SHA-256 (FIPS 180-4) of bytes or a file, as 64 lowercase hex digits, computed by nettle.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace flowweaver {

std::string sha256_hex(std::string_view bytes);
// Throws Error::IO when the file cannot be read.
std::string sha256_of_file(const std::filesystem::path& file);

}  // namespace flowweaver
