#include "util/install_layout.h"

#ifndef FLOWWEAVER_BINDIR_FROM_LIBEXEC
#define FLOWWEAVER_BINDIR_FROM_LIBEXEC "../../bin"
#endif

namespace flowweaver {
namespace {

// Empty when /proc/self/exe cannot be read.
std::filesystem::path installed_bindir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  std::string name = exe.filename().string();
  bool in_libexec = name == "flowweaver-serve" || name == "flowweaver-task";
  return in_libexec ? (exe.parent_path() / FLOWWEAVER_BINDIR_FROM_LIBEXEC).lexically_normal()
                    : exe.parent_path();
}

}  // namespace

std::filesystem::path installed_path(const char* from_bindir, const char* fallback) {
  std::filesystem::path bindir = installed_bindir();
  if (bindir.empty()) return fallback;
  return (bindir / from_bindir).lexically_normal();
}

}  // namespace flowweaver
