#include "cron/cron.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <limits>
#include <vector>

namespace flowweaver {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  // Names for the values from `first_named` on, or empty.
  std::vector<std::string_view> names;
  int first_named;
  const char* names_hint;
};

const std::array<FieldSpec, 5> kFields = {{
    {"minute", 0, 59, {}, 0, ""},
    {"hour", 0, 23, {}, 0, ""},
    {"day-of-month", 1, 31, {}, 0, ""},
    {"month",
     1,
     12,
     {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"},
     1,
     " or a month name (JAN-DEC)"},
    {"day-of-week",
     0,
     7,
     {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"},
     0,
     " or a weekday name (SUN-SAT)"},
}};

bool has(uint64_t mask, int value) { return (mask >> value) & 1; }

// The smallest value >= `from` in `mask`, or -1.
int next_in(uint64_t mask, int from) {
  if (from >= 64) return -1;
  uint64_t rest = mask >> from;
  return rest == 0 ? -1 : from + std::countr_zero(rest);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Parses one field of a cron expression, reporting the first problem to *error.
class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, int number, std::string* error)
      : spec_(spec), number_(number), error_(error) {}

  std::optional<uint64_t> parse(std::string_view text) {
    uint64_t mask = 0;
    size_t begin = 0;
    while (true) {
      size_t comma = text.find(',', begin);
      item_ = text.substr(begin, comma - begin);
      if (item_.empty()) return fail("empty list item in '" + std::string(text) + "'");
      if (!add_item(&mask)) return std::nullopt;
      if (comma == std::string_view::npos) break;
      begin = comma + 1;
    }
    return mask;
  }

 private:
  // `*`, `v`, `a-b`, `*/n` or `a-b/n`.
  bool add_item(uint64_t* mask) {
    size_t slash = item_.find('/');
    std::string_view range = item_.substr(0, slash);
    int step = 1;
    if (slash != std::string_view::npos) {
      std::optional<int> n = number(item_.substr(slash + 1), "");
      if (!n) return false;
      if (*n < 1) {
        fail("step " + std::to_string(*n) + " must be at least 1");
        return false;
      }
      step = std::min(*n, 64);  // larger steps select the same single value
    }
    int low = spec_.min, high = spec_.max;
    if (range != "*") {
      size_t dash = range.find('-');
      std::optional<int> a = value(range.substr(0, dash));
      if (!a) return false;
      low = high = *a;
      if (dash != std::string_view::npos) {
        std::optional<int> b = value(range.substr(dash + 1));
        if (!b) return false;
        if (*b < *a) {
          fail("range '" + std::string(range) + "' runs backwards");
          return false;
        }
        high = *b;
      } else if (slash != std::string_view::npos) {
        fail("a step needs a range or '*' before it: write " + std::string(range) + "-" +
             std::to_string(spec_.max) + std::string(item_.substr(slash)));
        return false;
      }
    }
    for (int v = low; v <= high; v += step) *mask |= uint64_t{1} << v;
    return true;
  }

  // A number or a name, within the field's range.
  std::optional<int> value(std::string_view text) {
    for (size_t i = 0; i < spec_.names.size(); ++i) {
      if (equals_ignoring_case(text, spec_.names[i])) {
        return spec_.first_named + static_cast<int>(i);
      }
    }
    std::optional<int> n = number(text, spec_.names_hint);
    if (n && (*n < spec_.min || *n > spec_.max)) {
      return fail(std::string(text) + " is out of range " + std::to_string(spec_.min) + "-" +
                  std::to_string(spec_.max));
    }
    return n;
  }

  // Digits only; values too large for an int read as INT_MAX (always out of range).
  std::optional<int> number(std::string_view text, std::string_view hint) {
    if (text.empty()) return fail("'" + std::string(item_) + "' is missing a number");
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    bool digits_only = text.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits_only || end != text.data() + text.size()) {
      return fail("'" + std::string(text) + "' is not a number" + std::string(hint));
    }
    if (ec == std::errc::result_out_of_range) return std::numeric_limits<int>::max();
    return n;
  }

  std::nullopt_t fail(const std::string& message) {
    *error_ = "field " + std::to_string(number_) + " (" + spec_.name + "): " + message;
    return std::nullopt;
  }

  const FieldSpec& spec_;
  int number_;
  std::string* error_;
  std::string_view item_;  // the list item being read
};

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t begin = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    fields.push_back(text.substr(begin, i - begin));
  }
  return fields;
}

// Whether some listed day exists in some listed month (February counting 29 days).
bool some_day_exists(uint64_t days_of_month, uint64_t months) {
  for (int month = 1; month <= 12; ++month) {
    if (!has(months, month)) continue;
    int first_day = next_in(days_of_month, 1);
    if (first_day != -1 && first_day <= days_in_month(2000, month)) return true;
  }
  return false;
}

void advance_to_next_day(LocalMinute* t) {
  *t = {t->year, t->month, t->day + 1, 0, 0};
  if (t->day > days_in_month(t->year, t->month)) *t = {t->year, t->month + 1, 1, 0, 0};
  if (t->month > 12) *t = {t->year + 1, 1, 1, 0, 0};
}

LocalMinute plus_one_minute(LocalMinute t) {
  if (++t.minute < 60) return t;
  t.minute = 0;
  if (++t.hour < 24) return t;
  advance_to_next_day(&t);
  return t;
}

}  // namespace

std::optional<CronSchedule> CronSchedule::parse(std::string_view text, std::string* error) {
  std::vector<std::string_view> fields = split_fields(text);
  if (fields.size() != kFields.size()) {
    *error = "expected 5 fields (minute hour day-of-month month day-of-week), got " +
             std::to_string(fields.size());
    return std::nullopt;
  }
  std::array<uint64_t, 5> masks{};
  for (size_t i = 0; i < fields.size(); ++i) {
    std::optional<uint64_t> mask =
        FieldParser(kFields[i], static_cast<int>(i) + 1, error).parse(fields[i]);
    if (!mask) return std::nullopt;
    masks[i] = *mask;
  }
  CronSchedule s;
  s.text_ = std::string(text);
  s.minutes_ = masks[0];
  s.hours_ = masks[1];
  s.days_of_month_ = masks[2];
  s.months_ = masks[3];
  s.days_of_week_ = (masks[4] | (masks[4] >> 7)) & 0x7F;  // 7 is Sunday too
  s.day_of_month_restricted_ = fields[2][0] != '*';
  s.day_of_week_restricted_ = fields[4][0] != '*';
  bool either_day_fires = s.day_of_month_restricted_ && s.day_of_week_restricted_;
  if (!either_day_fires && !some_day_exists(s.days_of_month_, s.months_)) {
    *error = "field 3 (day-of-month): no day in '" + std::string(fields[2]) +
             "' exists in month '" + std::string(fields[3]) + "', so the schedule never fires";
    return std::nullopt;
  }
  return s;
}

bool CronSchedule::day_matches(int year, int month, int day) const {
  bool by_month_day = has(days_of_month_, day);
  bool by_week_day = has(days_of_week_, day_of_week(year, month, day));
  if (day_of_month_restricted_ && day_of_week_restricted_) return by_month_day || by_week_day;
  return by_month_day && by_week_day;
}

std::optional<LocalMinute> CronSchedule::next_match(LocalMinute t, int last_year) const {
  // Each step jumps to the next candidate month, day, hour or minute, so a year with one
  // matching day costs a few hundred steps, not half a million minutes.
  while (t.year <= last_year) {
    if (!has(months_, t.month)) {
      int month = next_in(months_, t.month);
      t = month == -1 ? LocalMinute{t.year + 1, next_in(months_, 1), 1, 0, 0}
                      : LocalMinute{t.year, month, 1, 0, 0};
      continue;
    }
    if (!day_matches(t.year, t.month, t.day)) {
      advance_to_next_day(&t);
      continue;
    }
    int hour = next_in(hours_, t.hour);
    if (hour == -1) {
      advance_to_next_day(&t);
      continue;
    }
    if (hour != t.hour) t = {t.year, t.month, t.day, hour, 0};
    int minute = next_in(minutes_, t.minute);
    if (minute == -1) {
      t = plus_one_minute({t.year, t.month, t.day, t.hour, 59});
      continue;
    }
    t.minute = minute;
    return t;
  }
  return std::nullopt;
}

std::optional<TimePoint> CronSchedule::next_after(TimePoint after) const {
  TimePoint start = std::chrono::floor<std::chrono::minutes>(after) + std::chrono::minutes(1);
  LocalMinute from = to_local_minute(start);
  const int last_year = from.year + 400;
  while (std::optional<LocalMinute> match = next_match(from, last_year)) {
    // A skipped local time has no instant; a repeated one fires only at its first instant,
    // which may already lie behind `after` when `after` falls in the repeated hour.
    std::optional<TimePoint> fire = first_instant_of(*match);
    if (fire && *fire > after) return fire;
    from = plus_one_minute(*match);
  }
  return std::nullopt;
}

}  // namespace flowweaver
