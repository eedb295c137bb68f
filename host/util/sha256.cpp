#include "util/sha256.h"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

#include "util/error.h"

namespace flowweaver {

namespace {

std::string to_hex(const unsigned char* digest, unsigned int size) {
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw Error::IO("SHA-256 failed");
  }
  return to_hex(digest, size);
}

std::string sha256_of_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error::IO("cannot read " + file.string());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  struct Free {
    EVP_MD_CTX* ctx;
    ~Free() { EVP_MD_CTX_free(ctx); }
  } free_ctx{ctx};
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    throw Error::IO("SHA-256 failed");
  }
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0 && EVP_DigestUpdate(ctx, buffer.data(), in.gcount()) != 1) {
      throw Error::IO("SHA-256 failed");
    }
  }
  if (in.bad()) throw Error::IO("cannot read " + file.string());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx, digest, &size) != 1) throw Error::IO("SHA-256 failed");
  return to_hex(digest, size);
}

}  // namespace flowweaver
