// A schedule fires once per fire time across the hosts sharing a database: before a scheduled
// run starts, its host inserts the (workflow, fire time) row; the unique key lets one insert win.
#pragma once

#include <string>

#include "state/postgres_connection.h"
#include "util/clock.h"

namespace flowweaver {

// True when this host is the one to start `workflow`'s run for `fire_time` (its row is now in
// schedule_fires); false when another host took that fire time first.
bool claim_schedule_fire(PgConnection& db, const std::string& workflow, TimePoint fire_time,
                         const std::string& host_id);

// Records the run a claimed fire started.
void record_fire_run(PgConnection& db, const std::string& workflow, TimePoint fire_time,
                     const std::string& run_id);

}  // namespace flowweaver
