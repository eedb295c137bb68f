// The hand-over of attempts between hosts (SCHEMA.md, "task_claims"): the run's host offers an
// attempt, any host serving the workflow claims it for a lease that it renews while the call
// runs, and records the outcome, which the run's host takes. Every claim carries a new fencing
// token: a holder whose lease expired and was taken back cannot renew or finish any more.
// All times are the database's clock. A ClaimQueue is used from one thread at a time (it runs on
// the caller's connection); any number of them, on any hosts, share one table safely.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cluster/run_plugins.h"
#include "exec/task_runner.h"
#include "state/postgres_connection.h"
#include "util/clock.h"

namespace flowweaver {

// The channel of the NOTIFYs: "ready" when a row becomes claimable, "done:<id>" when row <id>
// has its outcome.
inline constexpr const char* kClaimChannel = "flowweaver_claims";

// One attempt of one task (or item) of a run, as offered.
struct ClaimRequest {
  std::string run_id;
  std::string workflow;
  // The version of the manifest the run uses (Workflow::manifest_hash): only a host serving
  // that very version claims it, so that a task runs as the run's host knows it.
  std::string manifest_hash;
  std::string task_name;    // the task's row: an item's own name (`convert[3]`)
  uint32_t task_index = 0;  // in the manifest
  std::optional<TaskItem> item;
  int attempt = 0;
  // The outputs the call may read, by task name: what the run's scheduler had.
  nlohmann::json inputs = nlohmann::json::object();
};

struct Claim {
  int64_t id = 0;
  int64_t token = 0;
  ClaimRequest request;
  int num_interruptions = 0;  // how often a lease of this row expired before
};

// A row offered: new, or found from before (a run's host that died and was resumed).
struct OfferedClaim {
  int64_t id = 0;
  bool found = false;
};

// A workflow as a host serves it: its name and the hash of its manifest.
struct WorkflowVersion {
  std::string name;
  std::string manifest_hash;
};

// The outcome of a done row, and who ran it.
struct DoneClaim {
  AttemptOutcome outcome;
  std::string holder;
  int num_interruptions = 0;  // claims of it that ended without an outcome before this one
};

// A row taken back from a holder whose lease expired.
struct ExpiredClaim {
  int64_t id = 0;
  std::string holder;
  std::string run_id;
  std::string task_name;
  int attempt = 0;
};

class ClaimQueue {
 public:
  // `db` must outlive the queue.
  explicit ClaimQueue(PgConnection& db) : db_(db) {}

  // The row of the request's (run, task) that was not consumed yet, of this attempt or an
  // earlier one, of the same manifest version, and not being cancelled; else a new 'ready' one
  // (and a NOTIFY "ready"), any other ready row of the task withdrawn. A run's host has one
  // attempt of a task in flight at a time, so such a row was offered by a host of the run that
  // died: a resumed run records that attempt INTERRUPTED and starts the next one, which then
  // takes the orphan's outcome (or waits for it) instead of running the call again.
  OfferedClaim offer(const ClaimRequest& request);
  // The oldest ready row of one of `versions`, claimed by `holder` until now + `lease`, with a
  // new token; nothing when there is none (or all are being claimed by others right now). With
  // `plugins` (this host's copies), never a row of a run that pinned a plugin (run_plugins.h)
  // this host has another copy of, or none: a run does not mix plugin versions.
  std::optional<Claim> claim(const std::string& holder,
                             const std::vector<WorkflowVersion>& versions, Millis lease,
                             const std::optional<PluginShas>& plugins = std::nullopt);
  // Extends the lease to now + `lease`. Returns whether a cancel was requested, or nothing when
  // the token is stale (the lease was taken back): the call's result will be refused.
  std::optional<bool> renew(int64_t id, int64_t token, Millis lease);
  // Records the outcome (and NOTIFYs "done:<id>"). False when the token is stale: refused.
  bool finish(int64_t id, int64_t token, const AttemptOutcome& outcome);
  // Gives a claim back unfinished (its holder is stopping): ready again for any host, counting
  // an interruption. False when the token is stale.
  bool release(int64_t id, int64_t token);
  // Every claimed row whose lease expired goes back to 'ready' (counting an interruption).
  std::vector<ExpiredClaim> take_back_expired();
  // The outcome of a done row, which becomes 'consumed'; nothing while it is not done.
  std::optional<DoneClaim> take_done(int64_t id);
  // A row nobody claimed yet becomes 'consumed' (a cancelled attempt); false when it was
  // claimed meanwhile.
  bool withdraw(int64_t id);
  // The holder sees it at its next renewal and cancels its call.
  void request_cancel(int64_t id);

 private:
  PgConnection& db_;
};

// TaskItem as the `item` column's JSON, and back.
nlohmann::json item_to_json(const TaskItem& item);
TaskItem item_from_json(const nlohmann::json& json);

}  // namespace flowweaver
