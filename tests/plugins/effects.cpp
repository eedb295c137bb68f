// effects.append: a task with an observable side effect, so a test can count how often each task
// really ran, in which attempt and in which host process. After sleeping `sleep` (cancellable),
// it appends one line
//
//   <task> <attempt> <pid> <CLOCK_REALTIME ns> <tag>
//
// to `file` with a single write(2) on an O_APPEND descriptor, so lines written concurrently by
// several tasks (or several processes) never interleave, and returns the same fields as its output.
// The write comes last: an attempt that returns has written its line, and the host stamps the
// attempt's finished_at after the call returns, so the line's time is never later than that.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <flowweaver/sdk.hpp>

namespace {

using flowweaver::Context;
using flowweaver::Json;
using flowweaver::ParamType;

int64_t realtime_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

// Appends `line` in one write(2); throws (a retryable failure) if it cannot.
void append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  ssize_t written = ::write(fd, line.data(), line.size());
  int write_errno = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error("cannot append to " + path + ": " +
                             (written < 0 ? std::strerror(write_errno) : "short write"));
  }
}

class Append : public flowweaver::Task {
 public:
  Json run(Context& ctx) override {
    if (!ctx.sleep_for(ctx.duration_param("sleep"))) {
      throw std::runtime_error("cancelled before the side effect");
    }
    int pid = static_cast<int>(::getpid());
    int64_t ns = realtime_ns();
    std::string tag = ctx.param("tag").get<std::string>();
    std::string line = std::string(ctx.task_name()) + " " + std::to_string(ctx.attempt()) + " " +
                       std::to_string(pid) + " " + std::to_string(ns) + " " + tag;
    append_line(ctx.param("file").get<std::string>(), line + "\n");
    return {{"line", line}, {"attempt", ctx.attempt()}, {"pid", pid}, {"realtime_ns", ns}};
  }
};

}  // namespace

FLOWWEAVER_PLUGIN(effects, "0.0.1") {
  plugin.task<Append>("append", "Sleeps, then appends one line recording this attempt to a file")
      .required("file", ParamType::String, "The file to append to (created if missing)")
      .optional("sleep", ParamType::Duration, "0ms", "How long to sleep first; cancellable")
      .optional("tag", ParamType::String, "", "Free text ending the line; no spaces or breaks");
}
