#include "bench_support.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "manifest/manifest_reader.h"

namespace flowweaver::bench {

std::string fanout_yaml(size_t num_tasks) {
  std::string sink = "t" + std::to_string(num_tasks - 1);
  std::string yaml = "name: micro_fanout\ntasks:\n  - name: t0\n    uses: builtin.noop\n";
  std::string sink_deps;
  for (size_t i = 1; i + 1 < num_tasks; ++i) {
    std::string name = "t" + std::to_string(i);
    yaml += "  - name: " + name + "\n    uses: builtin.noop\n    depends_on: [t0]\n";
    sink_deps += (sink_deps.empty() ? "" : ", ") + name;
  }
  yaml += "  - name: " + sink + "\n    uses: builtin.noop\n    depends_on: [" + sink_deps + "]\n";
  return yaml;
}

namespace {

Manifest parse_generated(const std::string& yaml, const char* file_name) {
  DiagnosticList diagnostics(file_name);
  Manifest manifest = parse_manifest(yaml, file_name, &diagnostics);
  if (!diagnostics.empty()) {
    std::fprintf(stderr, "generated manifest is invalid:\n%s", diagnostics.to_string().c_str());
    std::abort();
  }
  return manifest;
}

}  // namespace

Manifest fanout_manifest(size_t num_tasks) {
  return parse_generated(fanout_yaml(num_tasks), "micro_fanout.yaml");
}

Manifest chain_manifest(size_t num_tasks) {
  std::string yaml = "name: micro_chain\ntasks:\n  - name: t0\n    uses: builtin.noop\n";
  for (size_t i = 1; i < num_tasks; ++i) {
    yaml += "  - name: t" + std::to_string(i) + "\n    uses: builtin.noop\n    depends_on: [t" +
            std::to_string(i - 1) + "]\n";
  }
  return parse_generated(yaml, "micro_chain.yaml");
}

std::shared_ptr<const PluginRegistry> built_plugins() {
  static std::shared_ptr<const PluginRegistry> registry = [] {
    auto plugins = std::make_shared<PluginRegistry>();
    plugins->load_directories({FLOWWEAVER_PLUGIN_DIR});
    if (!plugins->find("builtin")) {
      std::fprintf(stderr, "builtin plugin not found in %s\n", FLOWWEAVER_PLUGIN_DIR);
      std::abort();
    }
    return plugins;
  }();
  return registry;
}

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "fw-micro-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace flowweaver::bench
