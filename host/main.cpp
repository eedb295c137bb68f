// flowweaver: the command line (cli/command_line.h). `serve` is handed to flowweaver-serve in
// <libexecdir>/flowweaver, in the same process (exec), so a supervisor's PID stays the service.
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

}  // namespace

int main(int argc, char** argv) {
  return flowweaver::run_command_line(argc, argv, [argv](const flowweaver::ServeOptions&) {
    std::filesystem::path service = service_executable_path();
    ::execv(service.c_str(), argv);  // the options are parsed again there, the same way
    std::cerr << "error: cannot start the service executable " << service.string() << ": "
              << std::strerror(errno)
              << " (it is installed with flowweaver, in <libexecdir>/flowweaver)\n";
    return flowweaver::kExitRuntime;
  });
}
