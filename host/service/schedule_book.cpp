#include "service/schedule_book.h"

namespace flowweaver {

void ScheduleBook::set(const std::string& workflow, const CronSchedule& schedule, TimePoint now) {
  auto it = entries_.find(workflow);
  if (it != entries_.end() && it->second.schedule.text() == schedule.text()) return;
  entries_.insert_or_assign(workflow, Entry{schedule, schedule.next_after(now)});
}

void ScheduleBook::remove(const std::string& workflow) { entries_.erase(workflow); }

std::vector<std::string> ScheduleBook::workflows() const {
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

namespace {

// The last fire time of `schedule` from `first` up to `now`. Bounded: a host that slept through
// a year of a minutely schedule needs no exact answer, only one fire time the others agree on
// when they are up, which they are when the steps are few.
TimePoint latest_fire_time(const CronSchedule& schedule, TimePoint first, TimePoint now) {
  TimePoint latest = first;
  for (int step = 0; step < 10000; ++step) {
    std::optional<TimePoint> next = schedule.next_after(latest);
    if (!next || *next > now) break;
    latest = *next;
  }
  return latest;
}

}  // namespace

std::vector<std::string> ScheduleBook::take_due(TimePoint now) {
  std::vector<std::string> due;
  for (const DueFire& fire : take_due_fires(now)) due.push_back(fire.workflow);
  return due;
}

std::vector<ScheduleBook::DueFire> ScheduleBook::take_due_fires(TimePoint now) {
  std::vector<DueFire> due;
  for (auto& [name, entry] : entries_) {
    if (!entry.next || *entry.next > now) continue;
    due.push_back({name, latest_fire_time(entry.schedule, *entry.next, now)});
    entry.next = entry.schedule.next_after(now);
  }
  return due;
}

std::optional<TimePoint> ScheduleBook::next_fire() const {
  std::optional<TimePoint> earliest;
  for (const auto& [name, entry] : entries_) {
    if (entry.next && (!earliest || *entry.next < *earliest)) earliest = entry.next;
  }
  return earliest;
}

std::optional<TimePoint> ScheduleBook::next_fire(const std::string& workflow) const {
  auto it = entries_.find(workflow);
  if (it == entries_.end()) return std::nullopt;
  return it->second.next;
}

}  // namespace flowweaver
