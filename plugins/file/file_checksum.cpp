#include "file_checksum.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <flowweaver/sdk.hpp>
#include <stdexcept>
#include <vector>

#include "os_error.h"
#include "unique_fd.h"

namespace flowweaver {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

std::string hex(const uint8_t* bytes, size_t size) {
  static const char* kDigits = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < size; ++i) {
    text += kDigits[bytes[i] >> 4];
    text += kDigits[bytes[i] & 0xf];
  }
  return text;
}

}  // namespace

Checksum sha256_of(const std::filesystem::path& path, const std::function<bool()>& cancelled) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw_os_error("cannot open " + quoted(path.string()), errno);
  struct stat st;
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    throw PermanentError("cannot hash " + quoted(path.string()) + ": it is a directory");
  }
  sha256_ctx context;
  sha256_init(&context);
  std::vector<uint8_t> buffer(kChunkBytes);
  Checksum checksum;
  while (true) {
    if (cancelled && cancelled()) {
      throw std::runtime_error("cancelled while hashing " + quoted(path.string()));
    }
    ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_os_error("cannot read " + quoted(path.string()), errno);
    if (got == 0) break;
    sha256_update(&context, static_cast<size_t>(got), buffer.data());
    checksum.num_bytes += static_cast<uint64_t>(got);
  }
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&context, sizeof digest, digest);
  checksum.sha256 = hex(digest, sizeof digest);
  return checksum;
}

std::string expected_sha256(const std::string& text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool all_hex = lower.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (lower.size() != 2 * SHA256_DIGEST_SIZE || !all_hex) {
    throw PermanentError(
        "parameter 'expected' must be a SHA-256 in hex (64 digits 0-9, a-f), "
        "but is '" +
        text + "'");
  }
  return lower;
}

}  // namespace flowweaver
