#include "plugin/plugin_file_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace flowweaver {

namespace {

std::atomic<bool> g_allow_insecure{false};

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// What is wrong with `path` (a plugin file or its directory), or nothing.
std::optional<std::string> ownership_problem(const std::filesystem::path& path, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::string("cannot check ") + what + " " + path.string() + ": " + std::strerror(errno);
  }
  uid_t me = ::geteuid();
  if (st.st_uid != 0 && st.st_uid != me) {
    return std::string(what) + " " + path.string() + " is owned by uid " +
           std::to_string(st.st_uid) + ", neither root nor this host's user (uid " +
           std::to_string(me) + "), so that user could run code as this host; fix: chown root " +
           path.string();
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return std::string(what) + " " + path.string() + " is writable by " +
           ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " + octal_mode(st.st_mode) +
           "), so they could run code as this host; fix: chmod go-w " + path.string();
  }
  return std::nullopt;
}

}  // namespace

void set_allow_insecure_plugins(bool allow) { g_allow_insecure = allow; }

bool allow_insecure_plugins() { return g_allow_insecure; }

std::optional<std::string> insecure_plugin_reason(const std::filesystem::path& file) {
  std::error_code ec;
  std::filesystem::path real = std::filesystem::canonical(file, ec);
  if (ec) real = file;
  std::optional<std::string> problem = ownership_problem(real, "plugin file");
  if (!problem) problem = ownership_problem(real.parent_path(), "plugin directory");
  if (problem) *problem += " (or, for development only, pass --allow-insecure-plugins)";
  return problem;
}

}  // namespace flowweaver
