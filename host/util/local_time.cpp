#include "util/local_time.h"

#include <ctime>

namespace flowweaver {
namespace {

using std::chrono::seconds;

std::chrono::sys_days to_sys_days(int year, int month, int day) {
  return std::chrono::year_month_day{std::chrono::year{year},
                                     std::chrono::month{static_cast<unsigned>(month)},
                                     std::chrono::day{static_cast<unsigned>(day)}};
}

// Seconds east of UTC in effect at `t`.
long utc_offset_at(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&tt, &local);
  return local.tm_gmtoff;
}

// Whether `day`, give or take the probes of first_instant_of(), fits in a TimePoint: 64 bits of
// nanoseconds reach only from about 1678 to 2262, and a cron search may run centuries ahead.
bool fits_in_time_point(std::chrono::sys_days day) {
  constexpr std::chrono::days kMargin{2};
  return day > std::chrono::floor<std::chrono::days>(TimePoint::min()) + kMargin &&
         day < std::chrono::floor<std::chrono::days>(TimePoint::max()) - kMargin;
}

}  // namespace

LocalMinute to_local_minute(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(std::chrono::floor<seconds>(t));
  std::tm local{};
  localtime_r(&tt, &local);
  return {local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min};
}

std::optional<TimePoint> first_instant_of(const LocalMinute& m) {
  // The wall time read as if it were UTC; the real instant is that minus the offset in effect
  // then. Offsets are sampled a day and a half either side, which covers every real offset
  // (-12h to +14h) and both sides of any one transition; each is kept only if it round-trips.
  std::chrono::sys_days day = to_sys_days(m.year, m.month, m.day);
  if (!fits_in_time_point(day)) return std::nullopt;
  TimePoint as_utc = TimePoint(day.time_since_epoch()) + std::chrono::hours(m.hour) +
                     std::chrono::minutes(m.minute);
  std::optional<TimePoint> first;
  for (auto probe : {as_utc - std::chrono::hours(36), as_utc, as_utc + std::chrono::hours(36)}) {
    long offset = utc_offset_at(probe);
    TimePoint candidate = as_utc - seconds(offset);
    if (utc_offset_at(candidate) != offset) continue;
    if (!first || candidate < *first) first = candidate;
  }
  return first;
}

int days_in_month(int year, int month) {
  std::chrono::year_month_day_last last{
      std::chrono::year{year},
      std::chrono::month_day_last{std::chrono::month{static_cast<unsigned>(month)}}};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

int day_of_week(int year, int month, int day) {
  return static_cast<int>(std::chrono::weekday{to_sys_days(year, month, day)}.c_encoding());
}

}  // namespace flowweaver
