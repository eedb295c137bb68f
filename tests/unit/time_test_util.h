// Time helpers shared by the schedule tests: a pinned time zone and UTC timestamps from text.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "util/clock.h"

namespace flowweaver {

// Sets TZ for one test and restores the previous value, so tests do not depend on the machine.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

// "2024-03-31 01:00" (seconds optional: "2024-03-31 01:00:30") read as UTC.
inline TimePoint utc(const char* text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int fields = std::sscanf(text, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
  EXPECT_GE(fields, 5) << text;
  std::chrono::sys_days day = std::chrono::year_month_day{
      std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
      std::chrono::day{static_cast<unsigned>(d)}};
  return TimePoint(day.time_since_epoch()) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(s);
}

}  // namespace flowweaver
