// When each scheduled workflow is next due. Pure bookkeeping over an explicit clock reading, so
// the service's loop and the tests share it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cron/cron.h"

namespace flowweaver {

class ScheduleBook {
 public:
  // Sets `workflow`'s schedule; its next fire time becomes the first one after `now`. Setting
  // the same schedule again changes nothing.
  void set(const std::string& workflow, const CronSchedule& schedule, TimePoint now);
  void remove(const std::string& workflow);
  std::vector<std::string> workflows() const;

  // The workflows whose fire time has come, each once however many fire times passed (missed
  // ones are not back-filled); each moves on to its first fire time after `now`.
  std::vector<std::string> take_due(TimePoint now);
  // The same with the fire time each is due for: the latest one up to `now`, which every host
  // that was up agrees on (the cluster's key for "this fire time has been run").
  struct DueFire {
    std::string workflow;
    TimePoint fire_time;
  };
  std::vector<DueFire> take_due_fires(TimePoint now);

  // The earliest next fire time, if any workflow is scheduled.
  std::optional<TimePoint> next_fire() const;
  std::optional<TimePoint> next_fire(const std::string& workflow) const;

 private:
  struct Entry {
    CronSchedule schedule;
    std::optional<TimePoint> next;  // nothing: it never fires again
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace flowweaver
