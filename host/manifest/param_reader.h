// Reads a manifest's `params:` map: each entry a constant (the short form: its type is the
// value's) or a declaration (`type`, `enum`, `default`, `description`). Reports problems with
// their positions.
#pragma once

#include <vector>

#include "manifest/manifest.h"
#include "manifest/yaml_tree.h"

namespace flowweaver {

// Fills manifest->param_decls, and manifest->params / params_locations with the defaults.
void read_workflow_params(const YamlNode& params, Manifest* manifest, DiagnosticList* diagnostics);

}  // namespace flowweaver
