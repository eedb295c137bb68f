// Turning what a database holds into JSON text: bytes as base64, text as valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace flowweaver {

// Standard base64 (RFC 4648, with padding): how a BLOB or bytea value appears in `rows`.
std::string base64_encode(std::string_view bytes);

// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD (JSON holds only
// valid UTF-8; a database may hold any bytes in a text column).
std::string valid_utf8(std::string_view text);

}  // namespace flowweaver
