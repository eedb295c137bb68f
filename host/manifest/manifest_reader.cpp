#include "manifest/manifest_reader.h"

#include <yaml-cpp/yaml.h>

#include "manifest/yaml_document.h"
#include "manifest/yaml_field_reader.h"
#include "manifest/yaml_value.h"
#include "service/cron.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

const std::vector<std::string> kTopKeys = {"name",     "description", "max_workers", "params",
                                           "defaults", "tasks",       "schedule",    "catchup"};
const std::vector<std::string> kDefaultsKeys = {"retries", "retry_delay", "backoff",
                                                "max_retry_delay", "timeout"};
const std::vector<std::string> kTaskKeys = {"name",    "uses",        "with",    "depends_on",
                                            "retries", "retry_delay", "backoff", "max_retry_delay",
                                            "timeout"};

// Reads one manifest; each method handles one section and reports into diagnostics_.
class Reader : private YamlFieldReader {
 public:
  explicit Reader(DiagnosticList* diagnostics)
      : YamlFieldReader(diagnostics), diagnostics_(diagnostics) {}

  Manifest read(const YAML::Node& root) {
    Manifest manifest;
    manifest.file = diagnostics_->file();
    if (!root.IsMap()) {
      error(root, "a manifest must be a map with at least `name` and `tasks`");
      return manifest;
    }
    check_keys(root, kTopKeys, "at the top level");
    read_header(root, &manifest);
    read_schedule(root, &manifest);
    RetryPolicy default_retry;
    std::optional<Millis> default_timeout;
    if (YAML::Node defaults = root["defaults"]) {
      if (expect_map(defaults, "defaults")) {
        check_keys(defaults, kDefaultsKeys, "in defaults");
        read_policy(defaults, &default_retry, &default_timeout);
      }
    }
    YAML::Node tasks = root["tasks"];
    if (!tasks) {
      error(root, "missing `tasks`: a list of tasks, each with `name` and `uses`");
    } else if (!tasks.IsSequence()) {
      error(tasks, "`tasks` must be a list of tasks");
    } else {
      manifest.tasks.reserve(tasks.size());
      for (const YAML::Node& item : tasks) {
        manifest.tasks.push_back(read_task(item, default_retry, default_timeout));
      }
    }
    return manifest;
  }

 private:
  void read_header(const YAML::Node& root, Manifest* manifest) {
    YAML::Node name = root["name"];
    if (!name) {
      error(root, "missing `name`: the workflow's name (it also names the state file)");
    } else if (auto s = read_string(name, "name")) {
      manifest->name = *s;
      manifest->name_location = location_of(name);
      if (!is_valid_name(*s)) {
        error(name, "workflow name '" + *s + "' may contain only letters, digits, '_' and '-'");
      }
    }
    if (YAML::Node d = root["description"]) {
      if (auto s = read_string(d, "description")) manifest->description = *s;
    }
    if (YAML::Node w = root["max_workers"]) {
      if (auto n = read_integer(w, "max_workers")) {
        if (*n < 1 || *n > 1024) {
          error(w, "`max_workers` must be between 1 and 1024");
        } else {
          manifest->max_workers = static_cast<int>(*n);
        }
      }
    }
    if (YAML::Node p = root["params"]) {
      if (expect_map(p, "params")) {
        manifest->params = yaml_to_json(p, "", &manifest->params_locations, diagnostics_);
      }
    }
  }

  void read_schedule(const YAML::Node& root, Manifest* manifest) {
    if (YAML::Node n = root["schedule"]) {
      if (auto s = read_string(n, "schedule")) {
        std::string cron_error;
        if (CronSchedule::parse(*s, &cron_error)) {
          manifest->schedule = *s;
          manifest->schedule_location = location_of(n);
        } else {
          error(n, "`schedule`: '" + *s + "' is not a cron expression: " + cron_error);
        }
      }
    }
    if (YAML::Node n = root["catchup"]) {
      if (auto b = read_bool(n, "catchup")) manifest->catchup = *b;
      if (!root["schedule"]) {
        error(n, "`catchup` needs a `schedule`: it says whether missed scheduled runs are made up");
      }
    }
  }

  void read_policy(const YAML::Node& map, RetryPolicy* retry, std::optional<Millis>* timeout) {
    if (YAML::Node n = map["retries"]) {
      if (auto v = read_integer(n, "retries")) {
        if (*v < 0 || *v > 1000) {
          error(n, "`retries` must be between 0 and 1000 (it counts attempts after the first)");
        } else {
          retry->retries = static_cast<int>(*v);
        }
      }
    }
    if (YAML::Node n = map["retry_delay"]) {
      if (auto d = read_duration(n, "retry_delay")) retry->retry_delay = *d;
    }
    if (YAML::Node n = map["max_retry_delay"]) {
      if (auto d = read_duration(n, "max_retry_delay")) retry->max_retry_delay = *d;
    }
    if (YAML::Node n = map["backoff"]) {
      std::string value = n.IsScalar() ? n.Scalar() : "";
      if (value == "fixed") {
        retry->backoff = Backoff::kFixed;
      } else if (value == "exponential") {
        retry->backoff = Backoff::kExponential;
      } else {
        error(n, "`backoff` must be 'fixed' or 'exponential'" +
                     did_you_mean(value, {"fixed", "exponential"}));
      }
    }
    if (YAML::Node n = map["timeout"]) {
      if (auto d = read_duration(n, "timeout")) {
        if (d->count() == 0) {
          error(n, "`timeout` must be longer than 0 (leave it out for no timeout)");
        } else {
          *timeout = *d;
        }
      }
    }
  }

  TaskSpec read_task(const YAML::Node& item, const RetryPolicy& default_retry,
                     const std::optional<Millis>& default_timeout) {
    TaskSpec task;
    task.location = location_of(item);
    task.retry = default_retry;
    task.timeout = default_timeout;
    if (!item.IsMap()) {
      error(item, "each task must be a map with at least `name` and `uses`");
      return task;
    }
    check_keys(item, kTaskKeys, "in a task");
    if (YAML::Node n = item["name"]) {
      if (auto s = read_string(n, "name")) {
        task.name = *s;
        task.location = location_of(n);
        if (!is_valid_name(*s)) {
          error(n, "task name '" + *s + "' may contain only letters, digits, '_' and '-'");
        }
      }
    } else {
      error(item, "task is missing `name`");
    }
    if (YAML::Node n = item["uses"]) {
      task.uses_location = location_of(n);
      if (auto s = read_string(n, "uses")) task.uses = *s;
    } else {
      error(item, "task '" + task.name + "' is missing `uses` (e.g. uses: builtin.noop)");
    }
    if (YAML::Node n = item["with"]) {
      if (n.IsMap()) {
        task.with = yaml_to_json(n, "", &task.with_locations, diagnostics_);
      } else if (!n.IsNull()) {
        error(n, "`with` must be a map of parameter names to values");
      }
    }
    if (YAML::Node n = item["depends_on"]) read_depends_on(n, &task);
    read_policy(item, &task.retry, &task.timeout);
    return task;
  }

  void read_depends_on(const YAML::Node& node, TaskSpec* task) {
    if (!node.IsSequence()) {
      error(node, "`depends_on` must be a list of task names, e.g. [extract]");
      return;
    }
    for (const YAML::Node& dep : node) {
      if (auto s = read_string(dep, "depends_on")) {
        task->depends_on.push_back(*s);
        task->depends_on_locations.push_back(location_of(dep));
      }
    }
  }

  DiagnosticList* diagnostics_;
};

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Manifest parse_manifest(std::string_view yaml, const std::string& file,
                        DiagnosticList* diagnostics) {
  std::optional<YAML::Node> root = load_yaml_document(yaml, diagnostics);
  if (!root) {
    Manifest empty;
    empty.file = file;
    return empty;
  }
  return Reader(diagnostics).read(*root);
}

std::optional<std::string> read_manifest_text(const std::filesystem::path& path,
                                              DiagnosticList* diagnostics) {
  return read_text_file(path, "manifest", diagnostics);
}

Manifest read_manifest(const std::filesystem::path& path, DiagnosticList* diagnostics) {
  std::optional<std::string> text = read_manifest_text(path, diagnostics);
  if (!text) {
    Manifest empty;
    empty.file = diagnostics->file();
    return empty;
  }
  return parse_manifest(*text, diagnostics->file(), diagnostics);
}

}  // namespace flowweaver
