#include "line_splitter.h"

namespace flowweaver {

void LineSplitter::append(std::string_view data) {
  while (!data.empty()) {
    size_t newline = data.find('\n');
    partial_.append(data.substr(0, newline));
    // However the output was cut into reads, a line longer than the bound goes in pieces of it.
    while (partial_.size() > max_line_bytes_) {
      emit(std::string_view(partial_).substr(0, max_line_bytes_));
      partial_.erase(0, max_line_bytes_);
    }
    if (newline == std::string_view::npos) return;
    data.remove_prefix(newline + 1);
    std::string line = std::move(partial_);
    partial_.clear();
    emit(line);
  }
}

void LineSplitter::finish() {
  if (partial_.empty()) return;
  std::string line = std::move(partial_);
  partial_.clear();
  emit(line);
}

void LineSplitter::emit(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  on_line_(line);
}

}  // namespace flowweaver
