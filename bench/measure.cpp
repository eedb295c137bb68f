// Runs one command as a whole process and reports its wall time, from just before the fork to
// the return of wait4(), and from the rusage wait4() fills in (the process and the children it
// waited for) its CPU time, user and system, and its peak resident set size. On a shared
// machine the CPU time moves less than the wall time when others load the cores. Needs nothing
// but the kernel.
//
//   measure [--stdout FILE] [--stderr FILE] -- COMMAND [ARG...]
//
// The command's output goes to the given files, /dev/null by default, so that printing it
// costs what writing a log file costs. Prints one line on stdout:
//   wall_s=0.123456 cpu_s=0.100000 maxrss_kb=12345 exit=0
// and exits with the command's exit code (128 + N when it was killed by signal N).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

namespace flowweaver::bench {
namespace {

struct Options {
  std::string stdout_path = "/dev/null";
  std::string stderr_path = "/dev/null";
  char** command = nullptr;
};

bool parse_options(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      if (i + 1 >= argc) return false;
      options->command = argv + i + 1;
      return true;
    }
    if (i + 1 >= argc) return false;
    if (arg == "--stdout") {
      options->stdout_path = argv[++i];
    } else if (arg == "--stderr") {
      options->stderr_path = argv[++i];
    } else {
      return false;
    }
  }
  return false;
}

double monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

// In the child: point fd at path, or die saying why.
void redirect(int fd, const std::string& path) {
  int file = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (file < 0 || dup2(file, fd) < 0) {
    std::fprintf(stderr, "measure: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    _exit(127);
  }
  close(file);
}

int run(const Options& options) {
  double start = monotonic_seconds();
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("measure: fork");
    return 127;
  }
  if (pid == 0) {
    redirect(STDOUT_FILENO, options.stdout_path);
    redirect(STDERR_FILENO, options.stderr_path);
    execvp(options.command[0], options.command);
    _exit(127);  // stderr is redirected by now; the exit code says it
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::perror("measure: wait4");
      return 127;
    }
  }
  double wall_s = monotonic_seconds() - start;
  int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::printf("wall_s=%.6f cpu_s=%.6f maxrss_kb=%ld exit=%d\n", wall_s,
              seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_maxrss, exit_code);
  return exit_code;
}

}  // namespace
}  // namespace flowweaver::bench

int main(int argc, char** argv) {
  flowweaver::bench::Options options;
  if (!flowweaver::bench::parse_options(argc, argv, &options)) {
    std::fprintf(stderr, "usage: measure [--stdout FILE] [--stderr FILE] -- COMMAND [ARG...]\n");
    return 2;
  }
  return flowweaver::bench::run(options);
}
