// Reads an HTTP Retry-After header (RFC 9110, section 10.2.3).
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string_view>

namespace flowweaver {

// How long the server asks us to wait: "120" (seconds) or an HTTP date such as
// "Wed, 21 Oct 2015 07:28:00 GMT" (measured from `now`; a date already past means no wait).
// Nothing for any other text.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, std::time_t now);

}  // namespace flowweaver
