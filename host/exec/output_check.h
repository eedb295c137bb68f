// Whether a plugin's output text can be stored and handed on: well-formed UTF-8 and JSON this
// host can read. Both are properties of the bytes alone, so a plugin that gets them wrong gets
// them wrong on every attempt: the caller fails the task without retrying.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flowweaver {

// Nothing when `text` is fine; otherwise what is wrong, worded to follow "returned output
// that ", e.g. `is not valid UTF-8 (byte 0xE9 at offset 12)` or `is not valid JSON: <the
// parser's message>`. The result is always valid UTF-8 itself. NaN and Infinity cannot pass:
// JSON text has no such tokens, and a number too large for a double is refused as well.
std::optional<std::string> output_text_problem(std::string_view text);

}  // namespace flowweaver
