#include "cluster/schedule_fires.h"

#include "util/time_format.h"

namespace flowweaver {

bool claim_schedule_fire(PgConnection& db, const std::string& workflow, TimePoint fire_time,
                         const std::string& host_id) {
  PgResult r = db.exec("claiming a schedule fire",
                       "INSERT INTO schedule_fires (workflow, fire_time, host_id, fired_at) "
                       "VALUES ($1, $2, $3, now()) ON CONFLICT (workflow, fire_time) DO NOTHING "
                       "RETURNING 1",
                       {workflow, format_timestamp(fire_time), host_id});
  return r.rows() == 1;
}

void record_fire_run(PgConnection& db, const std::string& workflow, TimePoint fire_time,
                     const std::string& run_id) {
  db.exec("recording a schedule fire's run",
          "UPDATE schedule_fires SET run_id = $3 WHERE workflow = $1 AND fire_time = $2",
          {workflow, format_timestamp(fire_time), run_id});
}

}  // namespace flowweaver
