// `parse:` of a shell.run task: how the command's stdout becomes a value of the task's output.
#pragma once

#include <cstddef>
#include <flowweaver/sdk.hpp>
#include <string_view>

namespace flowweaver {

enum class StdoutParse { kNone, kText, kLines, kJson };

// The mode named by `parse:` ("none", "text", "lines" or "json"). Throws PermanentError naming
// the allowed values for anything else: the SDK cannot declare a choice, so validate lets any
// string through and the attempt refuses it before running the command.
StdoutParse stdout_parse_of(const Json& value);

// The output field the parsed value goes into ("text", "lines", "json"); nullptr for kNone.
const char* stdout_parse_field(StdoutParse mode);

// `stdout_bytes` (what max_output kept; `num_dropped_bytes` were dropped after it) as `mode`
// asks: kText without one trailing newline, kLines as a list of lines (a trailing newline ends
// the last line rather than starting an empty one; a '\r' before each '\n' is dropped), kJson
// parsed. Throws PermanentError when kJson meets a truncated stdout or text that is not JSON
// (quoting the start of it). Text is made valid UTF-8 first.
Json parse_stdout(StdoutParse mode, std::string_view stdout_bytes, size_t num_dropped_bytes);

}  // namespace flowweaver
