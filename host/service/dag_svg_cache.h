// The served workflows' drawings (dag_svg.h), each drawn once per version of its manifest: the
// page asks for a run's graph every time it opens one, and dot takes long on large workflows.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "workflow.h"

namespace flowweaver {

class DagSvgCache {
 public:
  // The SVG of `workflow`, drawn anew when its manifest's content differs from the one last
  // drawn under its name. Thread-safe; throws what render_dag_svg throws.
  std::shared_ptr<const std::string> svg(const Workflow& workflow);

 private:
  struct Drawing {
    std::string manifest_hash;
    std::shared_ptr<const std::string> svg;
  };

  std::mutex mutex_;
  std::map<std::string, Drawing> drawings_;  // by workflow name; guarded by mutex_
};

}  // namespace flowweaver
