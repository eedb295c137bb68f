// Cuts a stream of output chunks into lines as they arrive, so that a long command's output
// reaches the task log line by line while it runs instead of all at once at its end.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace flowweaver {

class LineSplitter {
 public:
  using LineHandler = std::function<void(std::string_view line)>;

  // `on_line` gets each line without its '\n' (and '\r'); a line longer than max_line_bytes is
  // handed over in pieces of that size, so a command that never writes '\n' is still seen.
  explicit LineSplitter(LineHandler on_line, size_t max_line_bytes = 64 * 1024)
      : on_line_(std::move(on_line)), max_line_bytes_(max_line_bytes) {}

  void append(std::string_view data);
  // Hands over the last line if it did not end in '\n' (call at end of output).
  void finish();

 private:
  void emit(std::string_view line);

  LineHandler on_line_;
  size_t max_line_bytes_;
  std::string partial_;
};

}  // namespace flowweaver
