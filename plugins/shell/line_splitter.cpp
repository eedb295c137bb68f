#include "line_splitter.h"

namespace flowweaver {

void LineSplitter::append(std::string_view data) {
  while (!data.empty()) {
    size_t newline = data.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(data);
      while (partial_.size() >= max_line_bytes_) {
        emit(std::string_view(partial_).substr(0, max_line_bytes_));
        partial_.erase(0, max_line_bytes_);
      }
      return;
    }
    partial_.append(data.substr(0, newline));
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
