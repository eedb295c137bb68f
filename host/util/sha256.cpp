#include "util/sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "util/error.h"
#include "util/sha256_blocks.h"

namespace flowweaver {
namespace {

using sha256_detail::BlockFunction;

BlockFunction fastest_block_function() {
  static const BlockFunction chosen = [] {
    BlockFunction extensions = sha256_detail::blocks_with_sha_extensions();
    return extensions != nullptr ? extensions : &sha256_detail::blocks_portable;
  }();
  return chosen;
}

// Bytes in, digest out: whole blocks go straight to the block function, the rest waits in
// `partial_` for more bytes or for the padding.
class Sha256 {
 public:
  void add(const unsigned char* bytes, size_t size) {
    length_ += size;
    if (partial_size_ > 0) {
      size_t take = std::min(size, sizeof(partial_) - partial_size_);
      std::memcpy(partial_ + partial_size_, bytes, take);
      partial_size_ += take;
      bytes += take;
      size -= take;
      if (partial_size_ < sizeof(partial_)) return;
      blocks_(state_, partial_, 1);
      partial_size_ = 0;
    }
    if (size >= 64) blocks_(state_, bytes, size / 64);
    partial_size_ = size % 64;
    if (partial_size_ > 0) std::memcpy(partial_, bytes + size - partial_size_, partial_size_);
  }

  std::string hex_digest() {
    // Padding (FIPS 180-4, 5.1.1): a 1 bit, zeros up to 56 bytes into a block, the bit length.
    uint64_t bits = length_ * 8;
    unsigned char tail[128] = {0x80};
    size_t tail_size = (partial_size_ < 56 ? 56 : 120) - partial_size_;
    for (int i = 0; i < 8; ++i)
      tail[tail_size++] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    add(tail, tail_size);
    static const char* kHex = "0123456789abcdef";
    std::string hex;
    for (uint32_t word : state_) {
      for (int shift = 28; shift >= 0; shift -= 4) hex += kHex[(word >> shift) & 0xf];
    }
    return hex;
  }

 private:
  BlockFunction blocks_ = fastest_block_function();
  // The initial hash value (FIPS 180-4, 5.3.3).
  uint32_t state_[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint64_t length_ = 0;
  unsigned char partial_[64];
  size_t partial_size_ = 0;
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Sha256 hash;
  hash.add(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return hash.hex_digest();
}

std::string sha256_of_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error::IO("cannot read " + file.string() + ": " + std::strerror(errno));
  Sha256 hash;
  std::vector<unsigned char> buffer(1 << 16);
  while (true) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error = errno;
      ::close(fd);
      throw Error::IO("cannot read " + file.string() + ": " + std::strerror(error));
    }
    if (got == 0) break;
    hash.add(buffer.data(), static_cast<size_t>(got));
  }
  ::close(fd);
  return hash.hex_digest();
}

}  // namespace flowweaver
