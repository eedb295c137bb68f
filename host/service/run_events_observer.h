// Turns a run's task changes into "task" events on its channel (run_event_hub.h): each carries
// the whole new row, in the shape of GET /api/runs/ID's tasks, so a client applies an event the
// same way whether it came before or after the snapshot it read.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/run_observer.h"
#include "manifest/manifest.h"
#include "service/run_event_hub.h"

namespace flowweaver {

// Called on the run's thread only.
class RunEventsObserver : public RunObserver {
 public:
  explicit RunEventsObserver(const Manifest& manifest);
  // From now on, changes go to `channel` (set once the run is open and has its id).
  void attach(std::shared_ptr<RunEventChannel> channel) { channel_ = std::move(channel); }

  void on_item_added(const TaskItem& item) override;
  void on_task_row(uint32_t task, const TaskRecord& row) override;

 private:
  struct ItemOf {
    uint32_t task = 0;
    size_t index = 0;
  };
  nlohmann::json row_json(uint32_t task, const TaskRecord& row) const;

  std::vector<std::string> task_names_;         // the manifest's, by index
  std::unordered_map<uint32_t, ItemOf> items_;  // by slot
  std::shared_ptr<RunEventChannel> channel_;
};

}  // namespace flowweaver
