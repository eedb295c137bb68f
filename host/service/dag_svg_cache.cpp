#include "service/dag_svg_cache.h"

#include "service/dag_svg.h"

namespace flowweaver {

std::shared_ptr<const std::string> DagSvgCache::svg(const Workflow& workflow) {
  const std::string& name = workflow.manifest.name;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = drawings_.find(name);
    if (it != drawings_.end() && it->second.manifest_hash == workflow.manifest_hash) {
      return it->second.svg;
    }
  }
  // Drawn outside the lock: other workflows' drawings are served meanwhile.
  auto svg = std::make_shared<const std::string>(render_dag_svg(workflow.manifest));
  std::lock_guard<std::mutex> lock(mutex_);
  drawings_[name] = {workflow.manifest_hash, svg};
  return svg;
}

}  // namespace flowweaver
