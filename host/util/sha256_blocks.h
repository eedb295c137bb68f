// The SHA-256 compression function (FIPS 180-4, section 6.2.2) over whole 64-byte blocks, in
// two versions: plain C++, and one on the x86 SHA extensions (about 5x faster; every plugin
// file is hashed on every run). util/sha256.cpp picks one; the tests compare them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace flowweaver::sha256_detail {

using BlockFunction = void (*)(uint32_t state[8], const unsigned char* blocks, size_t count);

void blocks_portable(uint32_t state[8], const unsigned char* blocks, size_t count);

// Null unless this is an x86-64 build running on a CPU with the SHA extensions.
BlockFunction blocks_with_sha_extensions();

}  // namespace flowweaver::sha256_detail
