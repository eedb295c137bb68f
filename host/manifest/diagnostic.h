// A problem found in a manifest, reported as `file:line:column: message`.
#pragma once

#include <string>
#include <vector>

namespace flowweaver {

// 1-based line and column; 0 means unknown (then only the file is printed).
struct SourceLocation {
  int line = 0;
  int column = 0;
};

struct Diagnostic {
  std::string file;
  SourceLocation location;
  std::string message;

  std::string to_string() const;
};

// Collects every problem, so the user sees them all at once instead of one per attempt.
class DiagnosticList {
 public:
  explicit DiagnosticList(std::string file) : file_(std::move(file)) {}

  void add(SourceLocation where, std::string message) {
    items_.push_back({file_, where, std::move(message)});
  }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::string& file() const { return file_; }
  // Sorted by position, one per line.
  std::string to_string() const;

 private:
  std::string file_;
  std::vector<Diagnostic> items_;
};

}  // namespace flowweaver
