#include "expr/lexer.h"

#include "expr/expr_error.h"

namespace flowweaver::expr {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
// Task names may hold '-' (there is no minus operator to confuse it with).
bool is_word_char(char c) { return is_word_start(c) || is_digit(c) || c == '-'; }

class Lexer {
 public:
  explicit Lexer(std::string_view source) : s_(source) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    for (;;) {
      while (at_ < s_.size() &&
             (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r')) {
        ++at_;
      }
      if (at_ == s_.size()) break;
      bool after_dot = !tokens.empty() && tokens.back().kind == TokenKind::kDot;
      tokens.push_back(next(after_dot));
    }
    tokens.push_back({TokenKind::kEnd, s_.size(), ""});
    return tokens;
  }

 private:
  Token next(bool after_dot) {
    size_t start = at_;
    char c = s_[at_];
    // After a dot comes a path step, which may be a list index or a name starting with a digit.
    if (after_dot && is_word_char(c)) return take_while(TokenKind::kWord, is_word_char);
    if (is_word_start(c)) return take_while(TokenKind::kWord, is_word_char);
    if (is_digit(c) || (c == '-' && at_ + 1 < s_.size() && is_digit(s_[at_ + 1]))) return number();
    if (c == '\'') return string();
    if (c == '"') {
      throw ExprError(start, "text is written in single quotes: 'text' (\" is not a quote here)");
    }
    return symbol(start);
  }

  template <typename Predicate>
  Token take_while(TokenKind kind, Predicate belongs) {
    size_t start = at_;
    while (at_ < s_.size() && belongs(s_[at_])) ++at_;
    return {kind, start, std::string(s_.substr(start, at_ - start))};
  }

  Token number() {
    size_t start = at_;
    if (s_[at_] == '-') ++at_;
    while (at_ < s_.size() && is_digit(s_[at_])) ++at_;
    if (at_ + 1 < s_.size() && s_[at_] == '.' && is_digit(s_[at_ + 1])) {
      ++at_;
      while (at_ < s_.size() && is_digit(s_[at_])) ++at_;
    }
    if (at_ < s_.size() && is_word_char(s_[at_])) {
      throw ExprError(start, "'" + std::string(s_.substr(start, at_ + 1 - start)) +
                                 "' is not a number; quote text as 'text'");
    }
    return {TokenKind::kNumber, start, std::string(s_.substr(start, at_ - start))};
  }

  Token string() {
    size_t start = at_++;
    std::string value;
    while (at_ < s_.size()) {
      if (s_[at_] == '\'') {
        if (at_ + 1 < s_.size() && s_[at_ + 1] == '\'') {  // '' is one quote
          value += '\'';
          at_ += 2;
          continue;
        }
        ++at_;
        return {TokenKind::kString, start, std::move(value)};
      }
      value += s_[at_++];
    }
    throw ExprError(start,
                    "this text is never closed: end it with ' (write '' for a quote inside)");
  }

  Token symbol(size_t start) {
    auto two = [&](char second) { return at_ + 1 < s_.size() && s_[at_ + 1] == second; };
    auto make = [&](TokenKind kind, size_t length) {
      at_ += length;
      return Token{kind, start, std::string(s_.substr(start, length))};
    };
    switch (s_[at_]) {
      case '.':
        return make(TokenKind::kDot, 1);
      case ',':
        return make(TokenKind::kComma, 1);
      case '(':
        return make(TokenKind::kLeftParen, 1);
      case ')':
        return make(TokenKind::kRightParen, 1);
      case '[':
        return make(TokenKind::kLeftBracket, 1);
      case ']':
        return make(TokenKind::kRightBracket, 1);
      case '<':
        return two('=') ? make(TokenKind::kLessEqual, 2) : make(TokenKind::kLess, 1);
      case '>':
        return two('=') ? make(TokenKind::kGreaterEqual, 2) : make(TokenKind::kGreater, 1);
      case '!':
        return two('=') ? make(TokenKind::kNotEqual, 2) : make(TokenKind::kNot, 1);
      case '=':
        if (two('=')) return make(TokenKind::kEqual, 2);
        throw ExprError(start, "'=' alone is not an operator: write == to compare");
      case '&':
        if (two('&')) return make(TokenKind::kAnd, 2);
        throw ExprError(start, "'&' alone is not an operator: write && for 'and'");
      case '|':
        if (two('|')) return make(TokenKind::kOr, 2);
        throw ExprError(start, "'|' alone is not an operator: write || for 'or'");
      default:
        break;
    }
    unsigned char c = static_cast<unsigned char>(s_[at_]);
    std::string shown =
        c >= 0x20 && c < 0x7f ? "'" + std::string(1, s_[at_]) + "'" : "byte " + std::to_string(c);
    throw ExprError(start, "unexpected " + shown +
                               ": an expression holds 'text', numbers, names such as "
                               "params.X, operators (== != < <= > >= && || !) and parentheses");
  }

  std::string_view s_;
  size_t at_ = 0;
};

}  // namespace

std::string describe(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "the end of the expression";
  if (token.kind == TokenKind::kString) return "the text '" + token.text + "'";
  return "'" + token.text + "'";
}

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

}  // namespace flowweaver::expr
