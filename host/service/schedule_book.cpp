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

std::vector<std::string> ScheduleBook::take_due(TimePoint now) {
  std::vector<std::string> due;
  for (auto& [name, entry] : entries_) {
    if (!entry.next || *entry.next > now) continue;
    due.push_back(name);
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
