#include "process_group.h"

#include <dirent.h>
#include <signal.h>

#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

namespace flowweaver {
namespace {

// Whether /proc/<pid>/stat describes a live (not zombie) member of `pgid`.
bool is_running_member(const std::string& pid, pid_t pgid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;  // it went away meanwhile
  // "pid (command name) state ppid pgrp ...": the name may hold spaces and parentheses.
  size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) return false;
  std::istringstream fields(stat.substr(name_end + 1));
  char state = 0;
  long ppid = 0, pgrp = 0;
  if (!(fields >> state >> ppid >> pgrp)) return false;
  return pgrp == pgid && state != 'Z' && state != 'X';
}

}  // namespace

bool process_group_running(pid_t pgid) {
  if (::kill(-pgid, 0) != 0) return false;  // no member at all, zombies included
  std::unique_ptr<DIR, int (*)(DIR*)> proc(::opendir("/proc"), &::closedir);
  if (!proc) return true;  // cannot look closer: trust kill()
  while (const dirent* entry = ::readdir(proc.get())) {
    if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
    if (is_running_member(entry->d_name, pgid)) return true;
  }
  return false;
}

}  // namespace flowweaver
