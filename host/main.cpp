// flowweaver: the command line (cli/command_line.h). `serve` is handed to flowweaver-serve in
// <libexecdir>/flowweaver, in the same process (exec), so a supervisor's PID stays the service.
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/command_line.h"
#include "engine.h"

namespace {

std::filesystem::path service_executable_path() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "flowweaver-serve";
  return (exe.parent_path() / FLOWWEAVER_SERVICE_FROM_BINDIR).lexically_normal();
}

// A run allocates and frees in bursts (the manifest's tree, the task records, the state's
// batches). By default glibc returns freed memory at the top of the heap, and serves blocks over
// 128 KiB with mmap, so the next burst faults the same pages in again: about a tenth of a
// fan-out of 10,000 no-op tasks went to that. A command is short-lived; keep what it freed until
// it exits. (flowweaver-serve, which runs for months, keeps glibc's defaults.)
void keep_freed_memory() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // the largest value glibc accepts
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  return flowweaver::run_command_line(argc, argv, [argv](const flowweaver::ServeOptions&) {
    std::filesystem::path service = service_executable_path();
    ::execv(service.c_str(), argv);  // the options are parsed again there, the same way
    std::cerr << "error: cannot start the service executable " << service.string() << ": "
              << std::strerror(errno)
              << " (it is installed with flowweaver, in <libexecdir>/flowweaver)\n";
    return flowweaver::kExitRuntime;
  });
}
