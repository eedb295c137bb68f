// PostgreSQL values, as libpq's text format gives them, turned into JSON by column type.
#pragma once

#include <flowweaver/sdk.hpp>
#include <string>
#include <string_view>

namespace flowweaver {

// Integers (int2/4/8, oid) and floats (float4/8) as numbers, bool as a boolean, json/jsonb
// parsed, bytea as base64; numeric (exact, beyond a double's precision) and every other type
// as its text.
Json postgres_value(unsigned int type_oid, std::string_view text);

// A bound parameter in libpq's text format: strings as they are, numbers and booleans as their
// JSON text, lists and objects as JSON (for json/jsonb columns). Null is handled by the caller.
std::string postgres_param_text(const Json& value, size_t index);

}  // namespace flowweaver
