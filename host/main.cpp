// flowweaver: the command line (cli/command_line.h). `serve` is handed to flowweaver-serve in
// <libexecdir>/flowweaver, in the same process (exec), so a supervisor's PID stays the service.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/command_line.h"
#include "engine.h"
#include "util/install_layout.h"

namespace {

// A run allocates and frees in bursts (the manifest's tree, the task records, the state's
// batches), and on this kind of VM every first touch of a page costs a fault of a few
// microseconds: a fifth of a fan-out of 10,000 no-op tasks went to faults. So the main heap is
// grown once, by 64 MiB of address space, on transparent huge pages where the kernel allows
// them (what glibc's glibc.malloc.hugetlb=1 tunable does), and what a command frees stays in it
// until it exits instead of going back to the kernel to be faulted in again. The price: memory
// is taken 2 MiB at a time (a fan-out of 10,000 peaks at 39 MB instead of 26). flowweaver-serve,
// which runs for months, keeps glibc's defaults.
void prepare_heap() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // the largest value glibc accepts
  mallopt(M_TOP_PAD, 64 << 20);
  auto heap_end = [] { return reinterpret_cast<uintptr_t>(sbrk(0)); };
  uintptr_t before = heap_end();
  void* volatile block = malloc(1 << 20);  // grows the heap by this and the top pad
  free(block);  // (volatile: the compiler would drop a malloc freed unused)
  uintptr_t after = heap_end();
  const uintptr_t huge_page = 2 << 20;
  uintptr_t begin = (before + huge_page - 1) & ~(huge_page - 1);
  uintptr_t end = after & ~(huge_page - 1);
  // Failure only means small pages, as without the call.
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

}  // namespace

int main(int argc, char** argv) {
  prepare_heap();
  return flowweaver::run_command_line(argc, argv, [argv](const flowweaver::ServeOptions&) {
    std::filesystem::path service =
        flowweaver::installed_path(FLOWWEAVER_SERVICE_FROM_BINDIR, "flowweaver-serve");
    ::execv(service.c_str(), argv);  // the options are parsed again there, the same way
    std::cerr << "error: cannot start the service executable " << service.string() << ": "
              << std::strerror(errno)
              << " (it is installed with flowweaver, in <libexecdir>/flowweaver)\n";
    return flowweaver::kExitRuntime;
  });
}
