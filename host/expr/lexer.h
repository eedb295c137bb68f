// Splits an expression into tokens. Pure: no I/O.
#pragma once

#include <string_view>
#include <vector>

#include "expr/token.h"

namespace flowweaver::expr {

// The tokens of `source`, ending with a kEnd token at its end. Throws ExprError at the first
// character that starts no token (an unclosed quote, a lone '=' or '&').
std::vector<Token> tokenize(std::string_view source);

}  // namespace flowweaver::expr
