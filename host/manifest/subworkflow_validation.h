// `uses: workflow.run` (workflows/FORMAT.md, "Sub-workflows"), the one task type the host
// provides itself: it runs another manifest as a child run. Its checks, made with the
// manifest's: `with:` holds a literal `file:` (relative to the manifest's directory) and
// optional `params:`; the child manifest must load and validate (its problems are reported at
// the `file:` value, each with the child's own position); the params must be the child's; a
// reference to the task's output must name one of the child's `outputs:`; and no chain of
// workflows may call itself.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "manifest/diagnostic.h"
#include "manifest/manifest.h"
#include "manifest/validator.h"
#include "plugin/plugin_registry.h"

namespace flowweaver {

// The `uses:` of a sub-workflow task.
inline constexpr const char* kWorkflowRunType = "workflow.run";

bool runs_subworkflow(const TaskSpec& task);

// The child manifest of a sub-workflow task: `with.file` relative to the directory of the
// manifest at `manifest_file`; nothing when `file` is not a literal string.
std::optional<std::filesystem::path> subworkflow_file(const std::string& manifest_file,
                                                      const TaskSpec& task);

// Reports every problem of the manifest's sub-workflow tasks (see above) to `diagnostics`.
void check_subworkflows(const Manifest& manifest, const PluginRegistry& plugins,
                        const EnvLookup& env, DiagnosticList* diagnostics);

}  // namespace flowweaver
