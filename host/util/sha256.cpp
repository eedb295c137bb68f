#include "util/sha256.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "util/error.h"

namespace flowweaver {
namespace {

// Bytes in, digest out, over nettle's streaming interface (issue 12: no cryptography of our
// own; nettle picks the CPU's SHA extensions itself where it has them).
class Sha256 {
 public:
  Sha256() { sha256_init(&context_); }

  void add(const uint8_t* bytes, size_t size) { sha256_update(&context_, size, bytes); }

  std::string hex_digest() {
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&context_, sizeof digest, digest);
    static const char* kHex = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * sizeof digest);
    for (uint8_t byte : digest) {
      hex += kHex[byte >> 4];
      hex += kHex[byte & 0xf];
    }
    return hex;
  }

 private:
  sha256_ctx context_;
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Sha256 hash;
  hash.add(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return hash.hex_digest();
}

std::string sha256_of_file(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error::IO("cannot read " + file.string() + ": " + std::strerror(errno));
  Sha256 hash;
  std::vector<uint8_t> buffer(1 << 16);
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
