// A problem in an expression, at a byte offset into its text, so the caller can turn it into
// a position in its own file (manifest/condition_position.h does it for a manifest's `if:`).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace flowweaver::expr {

class ExprError : public std::runtime_error {
 public:
  ExprError(size_t offset, const std::string& message)
      : std::runtime_error(message), offset_(offset) {}

  // 0-based byte offset into the expression's text.
  size_t offset() const { return offset_; }

 private:
  size_t offset_;
};

}  // namespace flowweaver::expr
