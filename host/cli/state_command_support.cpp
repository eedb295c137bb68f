#include "cli/state_command_support.h"

#include "manifest/diagnostic.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"
#include "util/suggest.h"

namespace flowweaver {

Manifest read_manifest_for_state(const std::string& file) {
  DiagnosticList diagnostics(file);
  Manifest m = read_manifest(file, &diagnostics);
  if (!diagnostics.empty()) {
    std::cerr << diagnostics.to_string();
    throw Error::InvalidArgument(std::to_string(diagnostics.size()) + " problem(s) found in " +
                                 file + ": fix the manifest first");
  }
  return m;
}

uint32_t find_task(const Manifest& m, const std::string& file, const std::string& task) {
  std::unordered_map<std::string, uint32_t> index = index_tasks(m);
  auto it = index.find(task);
  if (it != index.end()) return it->second;
  std::vector<std::string> names;
  for (const TaskSpec& t : m.tasks) names.push_back(t.name);
  throw Error::NotFound("no task '" + task + "' in " + file + did_you_mean(task, names));
}

}  // namespace flowweaver
