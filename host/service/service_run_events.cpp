// Service::subscribe_run_events: a run's changes as server-sent events (run_event_hub.h).
#include "http/event_stream.h"
#include "service/service.h"
#include "state/record_json.h"

namespace flowweaver {

Service::Subscription Service::subscribe_run_events(
    const std::string& run_id, const std::shared_ptr<EventStream>& events) const {
  if (run_events_.subscribe(run_id, events)) return Subscription::kFollowing;
  // Not active here: its stored status is final, or no process runs it now.
  std::optional<std::pair<std::string, RunRecord>> found = find_served_run(run_id);
  if (!found) return Subscription::kUnknownRun;
  events->send("run", run_status_json(found->second).dump());
  events->send("end", "{}");
  events->close();
  return Subscription::kEnded;
}

}  // namespace flowweaver
