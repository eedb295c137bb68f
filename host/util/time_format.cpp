#include "util/time_format.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

namespace flowweaver {

namespace {

// The canonical form, "2024-01-31T12:00:00.000Z": 24 characters.
constexpr size_t kTimestampSize = 24;

void put_digits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// The value of the `width` digits at `text`, or -1 if any is not a digit.
int digits_at(std::string_view text, size_t at, int width) {
  int value = 0;
  for (int i = 0; i < width; ++i) {
    char c = text[at + i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

// Called for every state change a run records, so it avoids snprintf, and works out the date
// and time of day once per second: timestamps come in bursts within the same second.
std::string format_timestamp(TimePoint t) {
  auto ms = std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  thread_local std::time_t cached_secs = 0;
  thread_local char cached[kTimestampSize] = {};  // "YYYY-MM-DDTHH:MM:SS" once filled
  if (secs != cached_secs || cached[0] == 0) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    int year = tm.tm_year + 1900;
    if (year < 0 || year > 9999) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
      return buf;
    }
    std::memcpy(cached, "0000-00-00T00:00:00", 19);
    put_digits(cached, year, 4);
    put_digits(cached + 5, tm.tm_mon + 1, 2);
    put_digits(cached + 8, tm.tm_mday, 2);
    put_digits(cached + 11, tm.tm_hour, 2);
    put_digits(cached + 14, tm.tm_min, 2);
    put_digits(cached + 17, tm.tm_sec, 2);
    cached_secs = secs;
  }
  char out[kTimestampSize];
  std::memcpy(out, cached, 19);
  out[19] = '.';
  put_digits(out + 20, millis, 3);
  out[23] = 'Z';
  return std::string(out, kTimestampSize);
}

// Reading a run back (resume, status) parses several timestamps per task: the canonical form
// is read digit by digit; anything else (say, edited by hand) goes through sscanf and timegm.
std::optional<TimePoint> parse_timestamp(std::string_view text) {
  if (text.size() == kTimestampSize && text[4] == '-' && text[7] == '-' && text[10] == 'T' &&
      text[13] == ':' && text[16] == ':' && text[19] == '.' && text[23] == 'Z') {
    int year = digits_at(text, 0, 4), month = digits_at(text, 5, 2), day = digits_at(text, 8, 2);
    int hour = digits_at(text, 11, 2), minute = digits_at(text, 14, 2);
    int second = digits_at(text, 17, 2), millis = digits_at(text, 20, 3);
    std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day)};
    if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && hour < 24 && minute >= 0 &&
        minute < 60 && second >= 0 && second < 60 && millis >= 0 && date.ok()) {
      return TimePoint(std::chrono::sys_days(date).time_since_epoch()) + std::chrono::hours(hour) +
             std::chrono::minutes(minute) + std::chrono::seconds(second) + Millis(millis);
    }
  }
  std::tm tm{};
  int millis = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = timegm(&tm);
  return TimePoint(std::chrono::seconds(secs)) + Millis(millis);
}

std::string format_duration(Millis d) {
  long long ms = d.count();
  char buf[48];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%lldms", ms);
  } else if (ms < 60 * 1000) {
    std::snprintf(buf, sizeof buf, "%lld.%03llds", ms / 1000, ms % 1000);
  } else if (ms < 3600 * 1000) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", ms / 60000, (ms / 1000) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", ms / 3600000, (ms / 60000) % 60);
  }
  return buf;
}

std::string format_duration_spec(Millis d) {
  long long ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  const std::pair<long long, const char*> units[] = {
      {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [size, name] : units) {
    if (ms >= size) {
      out += std::to_string(ms / size) + name;
      ms %= size;
    }
  }
  return out;
}

}  // namespace flowweaver
