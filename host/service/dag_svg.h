// A workflow's DAG drawn as SVG by Graphviz (dot, left to right), for the web page: one node
// per manifest task (a foreach/matrix task is one node), an edge per `depends_on`. The page finds
// a task's node by its SVG id `task-<name>` and styles it by its classes: `task`, plus `fan-out`
// for a foreach/matrix task and `handler` for an on_failure/on_exit handler.
#pragma once

#include <cstddef>
#include <string>

#include "manifest/manifest.h"

namespace flowweaver {

// dot's time grows faster than the task count (docs/BENCHMARKS.md, "Drawing the DAG"): above
// this many tasks a drawing would keep a request busy for about a second or more.
constexpr size_t kMaxDrawnTasks = 1000;

// The SVG document. Layout and rendering hold one process-wide lock (Graphviz is not
// thread-safe), so calls from several threads take turns. Throws Error::IO when Graphviz fails,
// with its messages. Text from the manifest is escaped: nothing it holds can break the SVG.
std::string render_dag_svg(const Manifest& manifest);

}  // namespace flowweaver
