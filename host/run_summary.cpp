#include "run_summary.h"

#include <algorithm>
#include <array>
#include <iomanip>
#include <map>

#include "util/printable.h"
#include "util/time_format.h"

namespace flowweaver {

std::string task_duration_text(const TaskRecord& t) {
  if (!t.started_at || !t.finished_at || *t.finished_at < *t.started_at) return "-";
  return format_duration(std::chrono::duration_cast<Millis>(*t.finished_at - *t.started_at));
}

void print_task_table(std::ostream& out, const std::vector<TaskRecord>& tasks) {
  size_t width = 4;
  for (const TaskRecord& t : tasks) width = std::max(width, t.task_name.size());
  out << std::left << std::setw(static_cast<int>(width) + 2) << "TASK" << std::setw(11) << "STATUS"
      << std::setw(10) << "ATTEMPTS" << std::setw(11) << "DURATION"
      << "ERROR\n";
  for (const TaskRecord& t : tasks) {
    out << std::left << std::setw(static_cast<int>(width) + 2) << t.task_name << std::setw(11)
        << to_string(t.status) << std::setw(10) << t.attempt << std::setw(11)
        << task_duration_text(t) << printable(t.error) << "\n";
  }
}

void print_status_table(std::ostream& out, const std::vector<TaskRecord>& rows) {
  struct Items {
    std::vector<TaskRecord> shown;
    std::array<size_t, 6> counts{};
    size_t total = 0;
    size_t unfinished = 0;
  };
  std::map<std::string, Items> items;  // by task name
  std::vector<TaskRecord> tasks;
  for (const TaskRecord& r : rows) {
    size_t bracket = r.task_name.find('[');  // task names have none (manifest/validator.h)
    if (bracket == std::string::npos) {
      tasks.push_back(r);
      continue;
    }
    Items& of_task = items[r.task_name.substr(0, bracket)];
    ++of_task.counts[static_cast<int>(r.status)];
    ++of_task.total;
    if (r.status != TaskStatus::kCompleted) of_task.shown.push_back(r);
  }
  for (auto& [task, of_task] : items) {
    // In the list's order: `t[2]` before `t[10]` (the store sorts names as text).
    std::stable_sort(of_task.shown.begin(), of_task.shown.end(),
                     [](const TaskRecord& a, const TaskRecord& b) {
                       return a.task_name.size() < b.task_name.size();
                     });
    of_task.unfinished = of_task.shown.size();
    if (of_task.shown.size() > kItemRowsShown) of_task.shown.resize(kItemRowsShown);
  }
  std::vector<TaskRecord> listed;
  for (const TaskRecord& t : tasks) {
    listed.push_back(t);
    auto it = items.find(t.task_name);
    if (it != items.end())
      listed.insert(listed.end(), it->second.shown.begin(), it->second.shown.end());
  }
  print_task_table(out, listed);
  for (const TaskRecord& t : tasks) {
    auto it = items.find(t.task_name);
    if (it == items.end()) continue;
    const std::string& task = t.task_name;
    const Items& of_task = it->second;
    out << task << ": " << of_task.total << " items:";
    const char* separator = " ";
    for (TaskStatus s : {TaskStatus::kCompleted, TaskStatus::kFailed, TaskStatus::kRunning,
                         TaskStatus::kPending, TaskStatus::kSkipped}) {
      size_t n = of_task.counts[static_cast<int>(s)];
      if (n == 0) continue;
      out << separator << n << " " << to_string(s);
      separator = ", ";
    }
    if (of_task.unfinished > of_task.shown.size()) {
      out << " (" << of_task.shown.size() << " of the " << of_task.unfinished
          << " not completed listed; all: SELECT * FROM tasks WHERE task_name LIKE '" << task
          << "[%')";
    }
    out << "\n";
  }
}

void print_run_summary(std::ostream& out, const std::string& workflow, const RunRecord& run,
                       const std::vector<TaskRecord>& tasks) {
  std::array<size_t, 6> counts{};
  for (const TaskRecord& t : tasks) ++counts[static_cast<int>(t.status)];
  std::string elapsed =
      run.finished_at
          ? format_duration(std::chrono::duration_cast<Millis>(*run.finished_at - run.started_at))
          : "-";
  out << "\nRun " << run.run_id << " of " << workflow << ": " << to_string(run.status)
      << " (started " << format_timestamp(run.started_at) << ", " << elapsed << ")\n";
  if (tasks.size() <= kSummaryRows) {
    print_task_table(out, tasks);
  } else {
    std::vector<TaskRecord> unfinished;
    for (const TaskRecord& t : tasks) {
      if (t.status != TaskStatus::kCompleted && unfinished.size() < kSummaryRows) {
        unfinished.push_back(t);
      }
    }
    if (!unfinished.empty()) print_task_table(out, unfinished);
  }
  out << counts[static_cast<int>(TaskStatus::kCompleted)] << " completed, "
      << counts[static_cast<int>(TaskStatus::kFailed)] << " failed, "
      << counts[static_cast<int>(TaskStatus::kSkipped)] << " skipped, "
      << counts[static_cast<int>(TaskStatus::kPending)] +
             counts[static_cast<int>(TaskStatus::kRunning)]
      << " not run\n";
}

}  // namespace flowweaver
