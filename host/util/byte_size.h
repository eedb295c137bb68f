// Sizes as written in config files: "512", "512B", "64KiB", "10MB", "1 GiB".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowweaver {

// A whole number of bytes with an optional unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB, in
// any case, optionally after one space. Every unit is binary (KB = KiB = 1024 bytes), as log
// and memory sizes usually are. Nothing for anything else, including fractions and values
// beyond 64 bits.
std::optional<uint64_t> parse_byte_size(std::string_view text);

// The largest unit that divides `bytes` exactly: "10MiB", "1536KiB", "100B".
std::string format_byte_size(uint64_t bytes);

}  // namespace flowweaver
