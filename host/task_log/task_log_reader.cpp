#include "task_log/task_log_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "task_log/task_log_path.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

RunRecord find_run(StateStore& store, const std::string& workflow, const std::string& run_id) {
  if (run_id.empty()) {
    std::optional<RunRecord> latest = store.latest_run(workflow);
    if (!latest) {
      throw Error::NotFound("no run of '" + workflow + "' in " + store.describe() +
                            ": the workflow has not run yet");
    }
    return *latest;
  }
  std::optional<RunRecord> run = store.find_run(run_id);
  if (!run || run->workflow != workflow) {
    throw Error::NotFound("no run '" + printable(run_id) + "' of '" + workflow + "' in " +
                          store.describe() + " (`flowweaver history` lists the runs)");
  }
  return *run;
}

TaskRecord find_task(StateStore& store, const RunRecord& run, const std::string& task) {
  std::vector<std::string> names;
  for (TaskRecord& row : store.load_tasks(run.run_id)) {
    if (row.task_name == task) return row;
    names.push_back(row.task_name);
  }
  throw Error::NotFound("no task '" + printable(task) + "' in run " + run.run_id + " of '" +
                        run.workflow + "'" + did_you_mean(task, names));
}

// `made`: the attempts the task has made, as far as known.
int chosen_attempt(const RunRecord& run, const TaskRecord& row, int made,
                   std::optional<int> attempt) {
  if (made == 0) {
    throw Error::NotFound("task '" + row.task_name + "' has not started in run " + run.run_id +
                          " (it is " + to_string(row.status) + "): there is no log yet");
  }
  if (!attempt) return made;
  if (*attempt < 1 || *attempt > made) {
    std::string made_text = made == 1 ? "only attempt 1" : "attempts 1 to " + std::to_string(made);
    throw Error::NotFound("task '" + row.task_name + "' has no attempt " +
                          std::to_string(*attempt) + " in run " + run.run_id + ": it made " +
                          made_text);
  }
  return *attempt;
}

}  // namespace

TaskLogLocation locate_task_log(StateStore& store, const std::filesystem::path& log_root,
                                const std::string& workflow, const std::string& run_id,
                                const std::string& task, std::optional<int> attempt) {
  TaskLogLocation where;
  where.run = find_run(store, workflow, run_id);
  where.task = find_task(store, where.run, task);
  // A starting attempt's RUNNING row may reach the state after its first line (rows are
  // committed in groups, SCHEMA.md): the file of the attempt after the row's counts as made.
  int made = where.task.attempt;
  std::error_code ec;
  if (std::filesystem::exists(task_log_path(log_root, workflow, where.run.run_id, task, made + 1),
                              ec)) {
    ++made;
  }
  where.attempt = chosen_attempt(where.run, where.task, made, attempt);
  where.path = task_log_path(log_root, workflow, where.run.run_id, task, where.attempt);
  return where;
}

bool attempt_is_over(const TaskRecord& row, int attempt) {
  if (row.attempt != attempt) return row.attempt > attempt;  // behind: its row is on its way
  return row.status != TaskStatus::kRunning;
}

std::optional<LogBytes> read_log_bytes(const std::filesystem::path& path, uint64_t offset,
                                       size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw Error::IO("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  LogBytes out;
  out.bytes.resize(max_bytes);
  ssize_t n;
  do {
    n = ::pread(fd, out.bytes.data(), max_bytes, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  int read_errno = errno;
  ::close(fd);
  if (n < 0) throw Error::IO("cannot read " + path.string() + ": " + std::strerror(read_errno));
  out.bytes.resize(static_cast<size_t>(n));
  out.next_offset = offset + static_cast<uint64_t>(n);
  return out;
}

bool logged_nothing(const TaskLogLocation& where) {
  std::error_code ec;
  return std::filesystem::is_directory(where.path.parent_path(), ec);
}

std::string missing_log_message(const TaskLogLocation& where) {
  return "no log file " + where.path.string() + " for attempt " + std::to_string(where.attempt) +
         " of task '" + where.task.task_name + "' in run " + where.run.run_id +
         ": the attempt ran before per-task logs were written, with task logs off (--log-dir ''), "
         "or with another log directory (give it with --log-dir)";
}

}  // namespace flowweaver
