// Wall-clock minutes in the process's local time zone (TZ) and the instants they map to, with
// daylight saving time made explicit: a local minute may map to no instant or to two.
#pragma once

#include <optional>

#include "util/clock.h"

namespace flowweaver {

// A minute of wall-clock time; month 1-12, day 1-31.
struct LocalMinute {
  int year = 1970;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;

  bool operator==(const LocalMinute&) const = default;
};

// The local minute that contains `t`.
LocalMinute to_local_minute(TimePoint t);

// The earliest instant whose local time is `m`: when clocks go back, the first of the two;
// nothing when clocks going forward skip `m`, or when `m` lies beyond what a TimePoint holds
// (about the years 1678 to 2262).
std::optional<TimePoint> first_instant_of(const LocalMinute& m);

int days_in_month(int year, int month);

// 0 = Sunday.
int day_of_week(int year, int month, int day);

}  // namespace flowweaver
