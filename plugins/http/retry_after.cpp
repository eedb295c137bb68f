#include "retry_after.h"

#include <curl/curl.h>

#include <algorithm>
#include <string>

namespace flowweaver {
namespace {

// A year: far beyond any max_retry_delay, and no overflow below it.
constexpr int64_t kLongestSeconds = 365LL * 24 * 3600;

std::optional<int64_t> delta_seconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t seconds = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = std::min(seconds * 10 + (c - '0'), kLongestSeconds);
  }
  return seconds;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::time_t now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (std::optional<int64_t> seconds = delta_seconds(value)) {
    return std::chrono::seconds(*seconds);
  }
  // An HTTP date names a weekday; curl_getdate also reads looser forms, which we refuse.
  if (value.find(',') == std::string_view::npos) return std::nullopt;
  std::time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  int64_t seconds = std::clamp<int64_t>(static_cast<int64_t>(when) - now, 0, kLongestSeconds);
  return std::chrono::seconds(seconds);
}

}  // namespace flowweaver
