// The engine's answer to the scheduler's condition hook (SchedulerOptions::condition): each
// task's `if:` from the manifest, evaluated over the run's records (exec/task_condition.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "exec/condition_check.h"
#include "manifest/manifest.h"

namespace flowweaver {

// A ConditionCheck for the run `run_id` of `manifest`, whose params (resolved, as the tasks
// see them) are `params`. Tasks without `if:` run; a manifest without any gives an empty
// check (the scheduler then asks nothing). `manifest` and `params` must outlive it.
ConditionCheck manifest_conditions(const Manifest& manifest, const nlohmann::json& params,
                                   std::string run_id);

}  // namespace flowweaver
