// Plugins linked into the unit-test binary (no .so), built with the real SDK, so validator and
// scheduler tests see exactly what a loaded plugin would declare.
#pragma once

#include <flowweaver/sdk.hpp>

#include "plugin/plugin_registry.h"

namespace flowweaver::testing {

// "test" plugin: noop, echo (open params), sleep {duration: required duration},
// typed {s: string, i: integer, n: number, b: boolean, o: object, a: array, d: duration,
//        opt: integer = 7}, fail {permanent: boolean = false}, block (waits for cancellation).
PluginRegistry test_registry();

}  // namespace flowweaver::testing
