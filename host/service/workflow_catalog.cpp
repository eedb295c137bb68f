#include "service/workflow_catalog.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "manifest/manifest_reader.h"
#include "pool_declarations.h"

namespace flowweaver {

namespace fs = std::filesystem;

namespace {

bool is_manifest(const fs::path& file) {
  std::string name = file.filename().string();
  return (file.extension() == ".yaml" || file.extension() == ".yml") && name[0] != '.';
}

std::optional<std::string> read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

WorkflowCatalog::WorkflowCatalog(fs::path dir, Isolation default_isolation,
                                 std::shared_ptr<spdlog::logger> log)
    : dir_(std::move(dir)), default_isolation_(default_isolation), log_(std::move(log)) {}

void WorkflowCatalog::declare_pools(std::map<std::string, int> pools, std::string config_file) {
  pools_ = std::move(pools);
  pools_declared_in_ = config_file.empty() ? "the service config" : std::move(config_file);
}

std::optional<ServedWorkflow> WorkflowCatalog::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = workflows_.find(name);
  if (it == workflows_.end()) return std::nullopt;
  return it->second;
}

std::vector<ServedWorkflow> WorkflowCatalog::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ServedWorkflow> out;
  for (const auto& [name, served] : workflows_) out.push_back(served);
  return out;
}

std::map<fs::path, std::string> WorkflowCatalog::refused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return refused_;
}

void WorkflowCatalog::refresh(const std::shared_ptr<const PluginRegistry>& plugins) {
  bool plugins_changed = plugins != validated_against_;
  validated_against_ = plugins;
  std::vector<fs::path> manifests;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (is_manifest(entry.path()) && entry.is_regular_file(ec)) manifests.push_back(entry.path());
  }
  std::sort(manifests.begin(), manifests.end());
  std::set<fs::path> present(manifests.begin(), manifests.end());
  for (auto it = files_.begin(); it != files_.end();) {
    if (present.count(it->first)) {
      ++it;
      continue;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!it->second.workflow_name.empty()) {
      log_->info("manifest {} was removed: workflow '{}' is no longer served", it->first.string(),
                 it->second.workflow_name);
      workflows_.erase(it->second.workflow_name);
    }
    refused_.erase(it->first);
    it = files_.erase(it);
  }
  for (const fs::path& file : manifests) {
    std::optional<std::string> text = read_text(file);
    if (!text) continue;  // vanished since the listing; the next refresh sees it gone
    FileState& state = files_[file];
    std::string hash = content_hash(*text);
    if (!plugins_changed && state.content_hash == hash) continue;
    state.content_hash = hash;
    load_file(file, *text, plugins);
  }
}

void WorkflowCatalog::load_file(const fs::path& file, const std::string& text,
                                const std::shared_ptr<const PluginRegistry>& plugins) {
  FileState& state = files_[file];
  DiagnosticList diagnostics(file.string());
  std::optional<Workflow> w = load_workflow(file.string(), plugins, process_env, &diagnostics);
  if (w) {
    apply_default_isolation(&w->manifest.tasks, default_isolation_);
    check_pools_declared(
        w->manifest, pools_,
        [&](const std::string& pool) {
          return "declare it in " + pools_declared_in_ + ", e.g. pools: {" + pool + ": 2}";
        },
        &diagnostics);
    if (!diagnostics.empty()) w.reset();
  }
  std::string problem;
  if (!w) {
    problem = diagnostics.to_string();
  } else if (w->manifest_hash != content_hash(text)) {
    problem = "the file changed while it was read; it is read again when it changes\n";
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    auto clash = workflows_.find(w->manifest.name);
    if (clash != workflows_.end() && clash->second.file != file) {
      problem = file.string() + ": workflow name '" + w->manifest.name +
                "' is already served from " + clash->second.file.string() +
                "; rename one of them\n";
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!problem.empty()) {
    // A line of the log each: one log line never holds a line break (util/log_format.h).
    log_->error("refused manifest {} ({}):", file.string(),
                state.workflow_name.empty()
                    ? "nothing was served from it"
                    : "workflow '" + state.workflow_name + "' stays in service as it was");
    std::istringstream lines(problem);
    for (std::string line; std::getline(lines, line);) log_->error("  {}", line);
    refused_[file] = problem;
    return;
  }
  std::string name = w->manifest.name;
  ServedWorkflow served;
  if (w->manifest.schedule) {
    std::string error;
    served.schedule = CronSchedule::parse(*w->manifest.schedule, &error);
  }
  served.file = file;
  served.workflow = std::make_shared<const Workflow>(std::move(*w));
  if (!state.workflow_name.empty() && state.workflow_name != name) {
    workflows_.erase(state.workflow_name);  // the file now names another workflow
  }
  log_->info("serving workflow '{}' from {} ({} tasks{})", name, file.string(),
             served.workflow->manifest.tasks.size(),
             served.schedule ? ", schedule \"" + served.schedule->text() + "\"" : "");
  workflows_[name] = std::move(served);
  state.workflow_name = name;
  refused_.erase(file);
}

}  // namespace flowweaver
