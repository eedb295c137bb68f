// Timestamps as stored and shown: ISO 8601 in UTC with milliseconds, e.g.
// 2026-11-26T04:22:57.123Z, so that they sort as text and read well in sqlite3.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"

namespace flowweaver {

std::string format_timestamp(TimePoint t);
std::optional<TimePoint> parse_timestamp(std::string_view text);
// "1.234s", "250ms", "2m03s": a compact human duration.
std::string format_duration(Millis d);
// The manifest's own spelling: "30s", "500ms", "1m30s", "1h".
std::string format_duration_spec(Millis d);

}  // namespace flowweaver
