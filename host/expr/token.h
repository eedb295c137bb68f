// The tokens of the expression language (workflows/FORMAT.md, "Conditions").
#pragma once

#include <cstddef>
#include <string>

namespace flowweaver::expr {

enum class TokenKind {
  kEnd,
  kString,  // 'text'; `text` holds the value, '' read as one quote
  kNumber,  // as written: -12, 3.5
  kWord,    // a name: params, contains, true, a task's name, a path step (0 after a dot)
  kDot,
  kComma,
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  kNot,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;  // of its first byte in the expression
  std::string text;
};

// How a token is shown in messages: "'=='", "the end".
std::string describe(const Token& token);

}  // namespace flowweaver::expr
