// What the micro-benchmarks share: generated manifests, the built plugins, scratch directories.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "manifest/manifest.h"
#include "plugin/plugin_registry.h"

namespace flowweaver::bench {

// YAML of `num_tasks` builtin.noop tasks: a root, num_tasks - 2 tasks after it, a sink after
// all of them (the fan-out shape of bench/gen_workflow).
std::string fanout_yaml(size_t num_tasks);

// The same, parsed; aborts on a diagnostic, since the text is generated.
Manifest fanout_manifest(size_t num_tasks);

// `num_tasks` builtin.noop tasks, each after the one before (the chain shape), parsed.
Manifest chain_manifest(size_t num_tasks);

// The plugins built with this tree (builtin.so, shell.so, ...), loaded once.
std::shared_ptr<const PluginRegistry> built_plugins();

// A fresh directory under the system's temporary directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace flowweaver::bench
