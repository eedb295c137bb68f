// Splitting and percent-decoding a request target ("/api/runs?workflow=a%20b").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_message.h"

namespace flowweaver {

// `text` with %XX sequences decoded (and '+' as a space when `plus_is_space`); nothing when a
// '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// The query's name=value pairs, decoded; nothing when one is malformed.
std::optional<HttpFields> parse_query(std::string_view query);

// The path's segments between '/', still encoded: "/api/runs/" -> {"api", "runs", ""}.
std::vector<std::string_view> path_segments(std::string_view path);

}  // namespace flowweaver
