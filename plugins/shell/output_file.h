// The file a command writes its named outputs to ($FLOWWEAVER_OUTPUT): fresh for each attempt,
// in a directory of its own that only this user can enter, removed with it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace flowweaver {

class OutputFile {
 public:
  // How much of the file read() accepts.
  static constexpr size_t kMaxBytes = size_t{1} << 20;

  // Creates the directory (under $TMPDIR, else /tmp) and the empty file. Throws
  // std::runtime_error naming the directory when it cannot.
  OutputFile();
  // Removes the directory and whatever the command left in it.
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // The file's content. Throws PermanentError when it is larger than kMaxBytes, and
  // std::runtime_error when it cannot be read (e.g. the command removed it).
  std::string read() const;

 private:
  std::filesystem::path directory_;
  std::filesystem::path path_;
};

}  // namespace flowweaver
