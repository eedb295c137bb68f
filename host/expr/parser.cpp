#include "expr/parser.h"

#include <charconv>

#include "expr/expr_error.h"
#include "expr/functions.h"
#include "expr/lexer.h"
#include "util/suggest.h"

namespace flowweaver::expr {
namespace {

using ExprPtr = std::unique_ptr<const Expr>;

struct Step {
  std::string text;
  size_t offset;
};

const std::string kReferenceShapes = "params.NAME, tasks.NAME.output, tasks.NAME.status or run.id";

// Recursive descent, one method per precedence level, lowest first.
class Parser {
 public:
  explicit Parser(std::string_view source) : tokens_(tokenize(source)) {}

  ExprPtr run() {
    ExprPtr e = parse_or();
    if (peek().kind != TokenKind::kEnd) {
      throw ExprError(peek().offset, "unexpected " + describe(peek()) +
                                         " after a complete expression: join conditions with "
                                         "&& or ||");
    }
    return e;
  }

 private:
  const Token& peek() const { return tokens_[at_]; }
  const Token& take() { return tokens_[at_++]; }
  bool accept(TokenKind kind) {
    if (peek().kind != kind) return false;
    ++at_;
    return true;
  }
  const Token& expect(TokenKind kind, const std::string& what) {
    if (peek().kind != kind) {
      throw ExprError(peek().offset, "expected " + what + ", found " + describe(peek()));
    }
    return take();
  }

  static ExprPtr binary(BinaryOp op, size_t op_offset, ExprPtr left, ExprPtr right) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kBinary;
    e->offset = left->offset;
    e->op_offset = op_offset;
    e->op = op;
    e->operands.push_back(std::move(left));
    e->operands.push_back(std::move(right));
    return e;
  }

  // One left-associative level: operands from `next`, operators from `ops`.
  template <typename Next>
  ExprPtr level(Next next, std::initializer_list<std::pair<TokenKind, BinaryOp>> ops) {
    ExprPtr left = (this->*next)();
    for (;;) {
      const std::pair<TokenKind, BinaryOp>* found = nullptr;
      for (const auto& op : ops) {
        if (peek().kind == op.first) found = &op;
      }
      if (!found) return left;
      size_t op_offset = take().offset;
      left = binary(found->second, op_offset, std::move(left), (this->*next)());
    }
  }

  ExprPtr parse_or() { return level(&Parser::parse_and, {{TokenKind::kOr, BinaryOp::kOr}}); }
  ExprPtr parse_and() {
    return level(&Parser::parse_equality, {{TokenKind::kAnd, BinaryOp::kAnd}});
  }
  ExprPtr parse_equality() {
    return level(&Parser::parse_relation, {{TokenKind::kEqual, BinaryOp::kEqual},
                                           {TokenKind::kNotEqual, BinaryOp::kNotEqual}});
  }
  ExprPtr parse_relation() {
    return level(&Parser::parse_unary, {{TokenKind::kLess, BinaryOp::kLess},
                                        {TokenKind::kLessEqual, BinaryOp::kLessEqual},
                                        {TokenKind::kGreater, BinaryOp::kGreater},
                                        {TokenKind::kGreaterEqual, BinaryOp::kGreaterEqual}});
  }

  ExprPtr parse_unary() {
    if (peek().kind != TokenKind::kNot) return parse_primary();
    size_t offset = take().offset;
    Nesting nest(this, offset);
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kNot;
    e->offset = offset;
    e->op_offset = offset;
    e->operands.push_back(parse_unary());
    return e;
  }

  ExprPtr parse_primary() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::kString:
        return literal(take().offset, nlohmann::json(t.text));
      case TokenKind::kNumber:
        return literal(take().offset, number(t));
      case TokenKind::kLeftParen: {
        Nesting nest(this, take().offset);
        ExprPtr inner = parse_or();
        expect(TokenKind::kRightParen,
               "')' to close the '(' at character " + std::to_string(nest.offset + 1));
        return inner;
      }
      case TokenKind::kWord:
        return parse_word();
      default:
        throw ExprError(t.offset,
                        "expected a value (text in single quotes, a number, true, "
                        "false, null, a reference such as params.NAME, or a function "
                        "call), found " +
                            describe(t));
    }
  }

  ExprPtr parse_word() {
    const Token& word = take();
    if (word.text == "true") return literal(word.offset, true);
    if (word.text == "false") return literal(word.offset, false);
    if (word.text == "null") return literal(word.offset, nullptr);
    if (peek().kind == TokenKind::kLeftParen) return parse_call(word);
    if (word.text == "params" || word.text == "tasks" || word.text == "run") {
      return parse_reference(word);
    }
    std::string hint = did_you_mean(word.text, {"params", "tasks", "run", "true", "false", "null"});
    throw ExprError(word.offset, "unknown name '" + word.text + "'" + hint + ": quote text ('" +
                                     word.text + "') or refer to " + kReferenceShapes);
  }

  ExprPtr parse_call(const Token& name) {
    const FunctionInfo* f = find_function(name.text);
    if (!f) {
      throw ExprError(name.offset, "unknown function '" + name.text + "'" +
                                       did_you_mean(name.text, function_names()) +
                                       "; functions: " + join(function_names()));
    }
    Nesting nest(this, take().offset);  // '('
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kCall;
    e->offset = name.offset;
    e->op_offset = name.offset;
    e->function = name.text;
    if (peek().kind != TokenKind::kRightParen) {
      do {
        e->operands.push_back(parse_or());
      } while (accept(TokenKind::kComma));
    }
    expect(TokenKind::kRightParen, "',' or ')' in the call of " + name.text + "()");
    if (e->operands.size() != f->num_arguments) {
      throw ExprError(name.offset, std::string(f->name) + "() takes " +
                                       std::to_string(f->num_arguments) + " argument(s), not " +
                                       std::to_string(e->operands.size()) + ": " +
                                       std::string(f->signature));
    }
    return e;
  }

  std::vector<Step> read_steps() {
    std::vector<Step> steps;
    for (;;) {
      if (accept(TokenKind::kDot)) {
        const Token& step = expect(TokenKind::kWord, "a name after '.'");
        steps.push_back({step.text, step.offset});
      } else if (peek().kind == TokenKind::kLeftBracket) {
        take();
        const Token& index = peek();
        if (index.kind != TokenKind::kNumber ||
            index.text.find_first_not_of("0123456789") != std::string::npos) {
          throw ExprError(index.offset,
                          "a list index is a whole number, as in [0]; found " + describe(index));
        }
        steps.push_back({take().text, index.offset});
        expect(TokenKind::kRightBracket, "']'");
      } else {
        return steps;
      }
    }
  }

  ExprPtr parse_reference(const Token& root) {
    std::vector<Step> steps = read_steps();
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kReference;
    e->offset = root.offset;
    ExprReference& ref = e->reference;
    ref.source = root.text;
    for (const Step& s : steps) ref.source += "." + s.text;
    size_t end = steps.empty() ? root.offset + root.text.size()
                               : steps.back().offset + steps.back().text.size();
    auto wrong = [&](size_t offset, const std::string& why) {
      return ExprError(offset, "'" + ref.source + "' " + why);
    };
    if (root.text == "run") {
      if (steps.size() != 1 || steps[0].text != "id") {
        throw wrong(steps.empty() ? end : steps[0].offset, "names nothing: the run offers run.id");
      }
      ref.kind = ExprReference::Kind::kRunId;
      return e;
    }
    if (steps.empty()) {
      throw wrong(end, "needs a name: write " + root.text + ".NAME" +
                           (root.text == "tasks" ? ".output or tasks.NAME.status" : ""));
    }
    ref.name = steps[0].text;
    ref.name_offset = steps[0].offset;
    if (root.text == "params") {
      ref.kind = ExprReference::Kind::kParam;
      for (size_t i = 1; i < steps.size(); ++i) ref.path.push_back(steps[i].text);
      return e;
    }
    if (steps.size() < 2) throw wrong(end, "needs .output or .status after the task's name");
    if (steps[1].text == "status") {
      if (steps.size() > 2) throw wrong(steps[2].offset, "is a status: it has no parts");
      ref.kind = ExprReference::Kind::kTaskStatus;
      return e;
    }
    if (steps[1].text != "output") {
      throw wrong(steps[1].offset, "names nothing: a task offers .output and .status" +
                                       did_you_mean(steps[1].text, {"output", "status"}));
    }
    ref.kind = ExprReference::Kind::kTaskOutput;
    for (size_t i = 2; i < steps.size(); ++i) ref.path.push_back(steps[i].text);
    return e;
  }

  static ExprPtr literal(size_t offset, nlohmann::json value) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kLiteral;
    e->offset = offset;
    e->literal = std::move(value);
    return e;
  }

  static nlohmann::json number(const Token& t) {
    const char* first = t.text.data();
    const char* last = first + t.text.size();
    if (t.text.find('.') == std::string::npos) {
      long long n = 0;
      auto [end, ec] = std::from_chars(first, last, n);
      if (ec == std::errc() && end == last) return n;
      throw ExprError(t.offset, "the number " + t.text + " is too large");
    }
    double d = 0;
    auto [end, ec] = std::from_chars(first, last, d);
    if (ec == std::errc() && end == last) return d;
    throw ExprError(t.offset, "the number " + t.text + " is out of range");
  }

  // Counts one level of nesting while it lives; too deep is an error, not a stack overflow.
  struct Nesting {
    Nesting(Parser* p, size_t at) : parser(p), offset(at) {
      if (++parser->depth_ > kMaxNesting) {
        throw ExprError(at, "the expression nests over " + std::to_string(kMaxNesting) +
                                " levels deep: simplify it");
      }
    }
    ~Nesting() { --parser->depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    Parser* parser;
    size_t offset;
  };

  std::vector<Token> tokens_;
  size_t at_ = 0;
  size_t depth_ = 0;
};

}  // namespace

std::unique_ptr<const Expr> parse_expression(std::string_view source) {
  return Parser(source).run();
}

}  // namespace flowweaver::expr
