// SHA-256 of a file, by nettle (the library the host hashes plugins with).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace flowweaver {

struct Checksum {
  std::string sha256;  // 64 lowercase hex digits
  uint64_t num_bytes = 0;
};

// Reads `path` to its end; `cancelled` is asked between chunks (true stops with
// std::runtime_error). A path that cannot be read throws as os_error.h classifies it.
Checksum sha256_of(const std::filesystem::path& path, const std::function<bool()>& cancelled);

// `text` as a SHA-256 to compare with, in lowercase; throws PermanentError naming the parameter
// unless it is 64 hex digits.
std::string expected_sha256(const std::string& text);

}  // namespace flowweaver
