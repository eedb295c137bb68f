#include "util/secret_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace flowweaver {

std::optional<std::string> read_secret_file(const std::filesystem::path& file,
                                            std::string* problem) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec) && !ec) {
    *problem = "does not exist";
    return std::nullopt;
  }
  if (std::filesystem::is_directory(file, ec)) {
    *problem = "is a directory, not a file";
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    *problem = std::string("cannot be read: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *problem = "cannot be read";
    return std::nullopt;
  }
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  if (value.empty()) {
    *problem = "is empty";
    return std::nullopt;
  }
  return value;
}

}  // namespace flowweaver
