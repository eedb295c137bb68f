// Parses an expression into its syntax tree (ast.h). Pure: no I/O. The grammar and the
// operators' precedence are in workflows/FORMAT.md, "Conditions".
#pragma once

#include <memory>
#include <string_view>

#include "expr/ast.h"

namespace flowweaver::expr {

// Parentheses, `!` and calls nest at most this deep: the parser recurses once per level.
constexpr size_t kMaxNesting = 64;

// The tree of `source`. Throws ExprError at the first syntax error: an unexpected token, an
// unknown name or function, a wrong number of arguments, a reference of the wrong shape.
std::unique_ptr<const Expr> parse_expression(std::string_view source);

}  // namespace flowweaver::expr
