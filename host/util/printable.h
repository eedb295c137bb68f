// Text from users and plugins made safe to print: a key, a value or a plugin's message may hold
// line breaks (which forge extra log lines or diagnostics) and escape sequences (which rewrite
// an operator's terminal). Control characters are shown as escapes instead.
#pragma once

#include <string>
#include <string_view>

namespace flowweaver {

// `text` with every control character (C0, DEL, and C1 as UTF-8) written as an escape:
// \n, \r, \t, \\x1b, \\u009b. Everything else, invalid UTF-8 included, is left as it is.
std::string printable(std::string_view text);

// Whether printable(text) would change anything.
bool has_control_characters(std::string_view text);

}  // namespace flowweaver
