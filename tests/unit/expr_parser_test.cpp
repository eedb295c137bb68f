#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "expr/expr_error.h"
#include "expr/lexer.h"
#include "expr/parser.h"

namespace flowweaver::expr {
namespace {

using ::testing::HasSubstr;

// The tree written back with full parentheses, to see precedence and shapes at a glance.
std::string show(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return e.literal.dump();
    case Expr::Kind::kReference: {
      std::string s = e.reference.source;
      for (const std::string& step : e.reference.path) s += "/" + step;
      return s;
    }
    case Expr::Kind::kNot:
      return "!" + show(*e.operands[0]);
    case Expr::Kind::kBinary:
      return "(" + show(*e.operands[0]) + " " + spelling(e.op) + " " + show(*e.operands[1]) + ")";
    case Expr::Kind::kCall: {
      std::string s = e.function + "(";
      for (size_t i = 0; i < e.operands.size(); ++i) s += (i ? ", " : "") + show(*e.operands[i]);
      return s + ")";
    }
  }
  return "?";
}

std::string parsed(const std::string& source) { return show(*parse_expression(source)); }

// "column: message" of the syntax error in `source` (1-based, as a user counts).
std::string syntax_error(const std::string& source) {
  try {
    parse_expression(source);
  } catch (const ExprError& e) {
    return std::to_string(e.offset() + 1) + ": " + e.what();
  }
  return "no error";
}

TEST(ExprLexerTest, TokensCarryTheirOffsets) {
  std::vector<Token> t = tokenize("a.b >= 'it''s' && !x");
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t[0].text, "a");
  EXPECT_EQ(t[3].kind, TokenKind::kGreaterEqual);
  EXPECT_EQ(t[3].offset, 4u);
  EXPECT_EQ(t[4].kind, TokenKind::kString);
  EXPECT_EQ(t[4].text, "it's");
  EXPECT_EQ(t[4].offset, 7u);
  EXPECT_EQ(t[5].kind, TokenKind::kAnd);
  EXPECT_EQ(t[6].kind, TokenKind::kNot);
  EXPECT_EQ(t[8].kind, TokenKind::kEnd);
  EXPECT_EQ(t[8].offset, 20u);
}

TEST(ExprLexerTest, EveryOperator) {
  std::vector<Token> t = tokenize("== != < <= > >= && || ! ( ) [ ] , .");
  std::vector<TokenKind> kinds;
  for (const Token& token : t) kinds.push_back(token.kind);
  EXPECT_EQ(kinds, (std::vector<TokenKind>{
                       TokenKind::kEqual, TokenKind::kNotEqual, TokenKind::kLess,
                       TokenKind::kLessEqual, TokenKind::kGreater, TokenKind::kGreaterEqual,
                       TokenKind::kAnd, TokenKind::kOr, TokenKind::kNot, TokenKind::kLeftParen,
                       TokenKind::kRightParen, TokenKind::kLeftBracket, TokenKind::kRightBracket,
                       TokenKind::kComma, TokenKind::kDot, TokenKind::kEnd}));
}

TEST(ExprLexerTest, BadCharactersAreErrorsAtTheirColumn) {
  EXPECT_EQ(syntax_error("params.a = 'x'"),
            "10: '=' alone is not an operator: write == to compare");
  EXPECT_EQ(syntax_error("true & false"), "6: '&' alone is not an operator: write && for 'and'");
  EXPECT_EQ(syntax_error("true | false"), "6: '|' alone is not an operator: write || for 'or'");
  EXPECT_THAT(syntax_error("run.id == \"x\""), HasSubstr("11: text is written in single quotes"));
  EXPECT_THAT(syntax_error("run.id == 'x"), HasSubstr("11: this text is never closed"));
  EXPECT_THAT(syntax_error("1 + 2"), HasSubstr("3: unexpected '+'"));
  EXPECT_THAT(syntax_error("12ab == 1"), HasSubstr("1: '12a' is not a number"));
}

TEST(ExprParserTest, Literals) {
  EXPECT_EQ(parsed("'text'"), "\"text\"");
  EXPECT_EQ(parsed("''"), "\"\"");
  EXPECT_EQ(parsed("42"), "42");
  EXPECT_EQ(parsed("-7"), "-7");
  EXPECT_EQ(parsed("2.5"), "2.5");
  EXPECT_EQ(parsed("true"), "true");
  EXPECT_EQ(parsed("false"), "false");
  EXPECT_EQ(parsed("null"), "null");
}

TEST(ExprParserTest, References) {
  EXPECT_EQ(parsed("params.target"), "params.target");
  EXPECT_EQ(parsed("params.cfg.region"), "params.cfg.region/region");
  EXPECT_EQ(parsed("tasks.check.output"), "tasks.check.output");
  EXPECT_EQ(parsed("tasks.check.output.rows.0.id"), "tasks.check.output.rows.0.id/rows/0/id");
  EXPECT_EQ(parsed("tasks.check.output.rows[1].id"), "tasks.check.output.rows.1.id/rows/1/id");
  EXPECT_EQ(parsed("tasks.my-task.status"), "tasks.my-task.status");
  EXPECT_EQ(parsed("run.id"), "run.id");
  std::unique_ptr<const Expr> e = parse_expression("tasks.check.output.changed");
  EXPECT_EQ(e->reference.kind, ExprReference::Kind::kTaskOutput);
  EXPECT_EQ(e->reference.name, "check");
  EXPECT_EQ(e->reference.name_offset, 6u);
  EXPECT_EQ(parse_expression("tasks.c.status")->reference.kind, ExprReference::Kind::kTaskStatus);
  EXPECT_EQ(parse_expression("run.id")->reference.kind, ExprReference::Kind::kRunId);
}

TEST(ExprParserTest, PrecedenceFromOrToNot) {
  EXPECT_EQ(parsed("params.a || params.b && params.c"), "(params.a || (params.b && params.c))");
  EXPECT_EQ(parsed("params.a && params.b || params.c"), "((params.a && params.b) || params.c)");
  EXPECT_EQ(parsed("1 == 2 && 3 != 4"), "((1 == 2) && (3 != 4))");
  EXPECT_EQ(parsed("1 < 2 == 3 >= 4"), "((1 < 2) == (3 >= 4))");
  EXPECT_EQ(parsed("1 <= 2 && 3 > 4"), "((1 <= 2) && (3 > 4))");
  EXPECT_EQ(parsed("!true == false"), "(!true == false)");
  EXPECT_EQ(parsed("!!true"), "!!true");
  EXPECT_EQ(parsed("(true || false) && false"), "((true || false) && false)");
  EXPECT_EQ(parsed("1 == 1 == true"), "((1 == 1) == true)");  // left to right
}

TEST(ExprParserTest, Functions) {
  EXPECT_EQ(parsed("contains(params.list, 'a')"), "contains(params.list, \"a\")");
  EXPECT_EQ(parsed("starts_with(run.id, '2026')"), "starts_with(run.id, \"2026\")");
  EXPECT_EQ(parsed("ends_with('a.csv', '.csv')"), "ends_with(\"a.csv\", \".csv\")");
  EXPECT_EQ(parsed("len(params.list) > 2"), "(len(params.list) > 2)");
}

TEST(ExprParserTest, SyntaxErrorsPointAtTheirColumn) {
  EXPECT_EQ(syntax_error("params.target == prod"),
            "18: unknown name 'prod': quote text ('prod') or refer to params.NAME, "
            "tasks.NAME.output, tasks.NAME.status or run.id");
  EXPECT_THAT(syntax_error("param.x"),
              HasSubstr("1: unknown name 'param' (did you mean 'params'?)"));
  EXPECT_THAT(syntax_error("params.x =="), HasSubstr("12: expected a value"));
  EXPECT_THAT(syntax_error("(true"), HasSubstr("6: expected ')' to close the '(' at character 1"));
  EXPECT_THAT(syntax_error("true false"), HasSubstr("6: unexpected 'false' after a complete"));
  EXPECT_THAT(syntax_error("contain(run.id, 'x')"),
              HasSubstr("1: unknown function 'contain' (did you mean 'contains'?)"));
  EXPECT_THAT(syntax_error("true && len('a', 'b')"),
              HasSubstr("9: len() takes 1 argument(s), not 2: len(value)"));
  EXPECT_THAT(syntax_error("contains(run.id 'x')"), HasSubstr("17: expected ',' or ')'"));
  EXPECT_THAT(syntax_error("run.name"), HasSubstr("5: 'run.name' names nothing"));
  EXPECT_THAT(syntax_error("tasks.a.result"),
              HasSubstr("9: 'tasks.a.result' names nothing: a task offers .output and .status"));
  EXPECT_THAT(syntax_error("tasks.a"), HasSubstr("8: 'tasks.a' needs .output or .status"));
  EXPECT_THAT(syntax_error("tasks.a.status.x"), HasSubstr("16: 'tasks.a.status.x' is a status"));
  EXPECT_THAT(syntax_error("params == 1"), HasSubstr("7: 'params' needs a name"));
  EXPECT_THAT(syntax_error("params. == 1"), HasSubstr("9: expected a name after '.'"));
  EXPECT_THAT(syntax_error("tasks.a.output[x]"), HasSubstr("16: a list index is a whole number"));
  EXPECT_THAT(syntax_error("tasks.a.output[0"), HasSubstr("17: expected ']'"));
  EXPECT_THAT(syntax_error(""), HasSubstr("1: expected a value"));
  EXPECT_THAT(syntax_error("99999999999999999999 > 1"), HasSubstr("1: the number"));
}

TEST(ExprParserTest, DeepNestingIsAnErrorNotACrash) {
  EXPECT_THAT(syntax_error(std::string(100, '(') + "true" + std::string(100, ')')),
              HasSubstr("nests over"));
  EXPECT_THAT(syntax_error(std::string(100, '!') + "true"), HasSubstr("nests over"));
  EXPECT_EQ(parsed(std::string(10, '(') + "true" + std::string(10, ')')), "true");
}

}  // namespace
}  // namespace flowweaver::expr
