// Tables for people: the per-task summary printed after a run, and what `status` shows.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "state/state_store.h"

namespace flowweaver {

// Up to kSummaryRows tasks are listed one per line; beyond that only the tasks that did not
// complete, then the counts.
inline constexpr size_t kSummaryRows = 50;

void print_run_summary(std::ostream& out, const std::string& workflow, const RunRecord& run,
                       const std::vector<TaskRecord>& tasks);

// TASK STATUS ATTEMPTS DURATION ERROR, one row per task.
void print_task_table(std::ostream& out, const std::vector<TaskRecord>& tasks);

std::string task_duration_text(const TaskRecord& task);

// What `status` lists of a run's rows: every task, but of the items of a foreach or matrix task
// (rows `task[...]`, of which there may be 100,000) only the first kItemRowsShown that did not
// complete, placed after their task, and one line per such task counting its items by status.
inline constexpr size_t kItemRowsShown = 10;
void print_status_table(std::ostream& out, const std::vector<TaskRecord>& rows);

}  // namespace flowweaver
