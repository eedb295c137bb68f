#include "file_glob.h"

#include <glob.h>

#include <algorithm>
#include <flowweaver/sdk.hpp>
#include <stdexcept>

namespace flowweaver {
namespace {

// Frees what glob() allocated, whatever it returned.
class GlobResult {
 public:
  GlobResult() = default;
  GlobResult(const GlobResult&) = delete;
  GlobResult& operator=(const GlobResult&) = delete;
  ~GlobResult() { ::globfree(&result_); }
  glob_t* get() { return &result_; }

 private:
  glob_t result_{};
};

}  // namespace

std::vector<std::string> glob_paths(const std::string& pattern) {
  if (pattern.empty()) {
    throw PermanentError("parameter 'pattern' is empty: give a glob pattern, e.g. in/*.csv");
  }
  GlobResult matches;
  int status = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, matches.get());
  if (status == GLOB_NOMATCH) return {};
  if (status == GLOB_NOSPACE) {
    throw std::runtime_error("glob " + pattern + ": out of memory while matching");
  }
  if (status != 0) throw std::runtime_error("glob " + pattern + ": failed to match");
  std::vector<std::string> paths(matches.get()->gl_pathv,
                                 matches.get()->gl_pathv + matches.get()->gl_pathc);
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace flowweaver
