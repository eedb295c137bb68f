#include "cluster/claim_queue.h"

#include "util/error.h"

namespace flowweaver {
namespace {

const char* kOffer = R"sql(
WITH found AS (
  SELECT id FROM task_claims
  WHERE run_id = $1 AND task_name = $2 AND attempt <= $3 AND status <> 'consumed'
    AND NOT cancel_requested AND manifest_hash = $8
  ORDER BY id DESC LIMIT 1),
withdrawn AS (
  UPDATE task_claims SET status = 'consumed'
  WHERE run_id = $1 AND task_name = $2 AND status = 'ready' AND NOT EXISTS (SELECT 1 FROM found)
  RETURNING id),
inserted AS (
  INSERT INTO task_claims (run_id, task_name, attempt, workflow, task_index, item, inputs, status,
                           manifest_hash)
  SELECT $1, $2, $3, $4, $5, $6, $7, 'ready', $8 WHERE NOT EXISTS (SELECT 1 FROM found)
  RETURNING id),
notified AS (SELECT pg_notify('flowweaver_claims', 'ready') FROM inserted)
SELECT id, true FROM found
UNION ALL SELECT id, false FROM inserted CROSS JOIN notified)sql";

const char* kClaim = R"sql(
UPDATE task_claims
SET status = 'claimed', holder = $1, token = nextval('claim_tokens'),
    lease_until = now() + $3 * interval '1 millisecond'
WHERE id = (SELECT id FROM task_claims
            WHERE status = 'ready' AND NOT cancel_requested
              AND (workflow, manifest_hash) IN (SELECT * FROM unnest($2::text[], $4::text[]))
              AND ($5::text[] IS NULL OR NOT EXISTS (
                SELECT 1 FROM run_plugins p
                WHERE p.run_id = task_claims.run_id
                  AND (p.plugin, p.sha256) NOT IN (SELECT * FROM unnest($5::text[], $6::text[]))))
            ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
RETURNING id, token, run_id, workflow, task_name, task_index, item, attempt, inputs,
          num_interruptions, manifest_hash)sql";

const char* kRenew = R"sql(
UPDATE task_claims SET lease_until = now() + $3 * interval '1 millisecond'
WHERE id = $1 AND token = $2 AND status = 'claimed'
RETURNING cancel_requested)sql";

const char* kFinish = R"sql(
WITH finished AS (
  UPDATE task_claims
  SET status = 'done', outcome = $3, output = $4, error = $5, retry_after_ms = $6,
      finished_at = now()
  WHERE id = $1 AND token = $2 AND status = 'claimed'
  RETURNING id)
SELECT id, pg_notify('flowweaver_claims', 'done:' || id) FROM finished)sql";

const char* kTakeBack = R"sql(
WITH expired AS (
  SELECT id, holder FROM task_claims
  WHERE status = 'claimed' AND lease_until < now()
  FOR UPDATE SKIP LOCKED),
taken AS (
  UPDATE task_claims t
  SET status = 'ready', lease_until = NULL, num_interruptions = t.num_interruptions + 1
  FROM expired e WHERE t.id = e.id
  RETURNING t.id, e.holder, t.run_id, t.task_name, t.attempt)
SELECT id, holder, run_id, task_name, attempt, pg_notify('flowweaver_claims', 'ready')
FROM taken)sql";

const char* kRelease = R"sql(
WITH released AS (
  UPDATE task_claims
  SET status = 'ready', lease_until = NULL, num_interruptions = num_interruptions + 1
  WHERE id = $1 AND token = $2 AND status = 'claimed'
  RETURNING id)
SELECT id, pg_notify('flowweaver_claims', 'ready') FROM released)sql";

const char* kTakeDone = R"sql(
UPDATE task_claims SET status = 'consumed' WHERE id = $1 AND status = 'done'
RETURNING outcome, output, error, retry_after_ms, holder, num_interruptions)sql";

// A PostgreSQL text[] literal: every element quoted, `"` and `\` escaped.
std::string text_array(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (const std::string& v : values) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

}  // namespace

nlohmann::json item_to_json(const TaskItem& item) {
  return {{"task", item.task},   {"slot", item.slot},   {"name", item.name},
          {"index", item.index}, {"value", item.value}, {"matrix", item.matrix}};
}

TaskItem item_from_json(const nlohmann::json& json) {
  TaskItem item;
  item.task = json.at("task").get<uint32_t>();
  item.slot = json.at("slot").get<uint32_t>();
  item.name = json.at("name").get<std::string>();
  item.index = json.at("index").get<size_t>();
  item.value = json.at("value");
  item.matrix = json.at("matrix");
  return item;
}

OfferedClaim ClaimQueue::offer(const ClaimRequest& r) {
  PgParam item = r.item ? PgParam(item_to_json(*r.item).dump()) : std::nullopt;
  PgResult result =
      db_.exec("offering a task to the cluster", kOffer,
               {r.run_id, r.task_name, std::to_string(r.attempt), r.workflow,
                std::to_string(r.task_index), item, r.inputs.dump(), r.manifest_hash});
  if (result.rows() != 1) {
    throw Error::State("state database " + db_.describe() + ": offering task '" + r.task_name +
                       "' to the cluster returned no row");
  }
  return {result.number(0, 0), result.text(0, 1) == "t"};
}

std::optional<Claim> ClaimQueue::claim(const std::string& holder,
                                       const std::vector<WorkflowVersion>& versions, Millis lease,
                                       const std::optional<PluginShas>& plugins) {
  std::vector<std::string> names, hashes;
  for (const WorkflowVersion& v : versions) {
    names.push_back(v.name);
    hashes.push_back(v.manifest_hash);
  }
  PgParam plugin_names, plugin_shas;  // NULL: no pins compared
  if (plugins) {
    std::vector<std::string> keys, values;
    for (const auto& [name, sha] : *plugins) {
      keys.push_back(name);
      values.push_back(sha);
    }
    plugin_names = text_array(keys);
    plugin_shas = text_array(values);
  }
  PgResult r = db_.exec("claiming a task", kClaim,
                        {holder, text_array(names), std::to_string(lease.count()),
                         text_array(hashes), plugin_names, plugin_shas});
  if (r.rows() == 0) return std::nullopt;
  Claim c;
  c.id = r.number(0, 0);
  c.token = r.number(0, 1);
  c.request.run_id = r.text(0, 2);
  c.request.workflow = r.text(0, 3);
  c.request.task_name = r.text(0, 4);
  c.request.task_index = static_cast<uint32_t>(r.number(0, 5));
  if (!r.is_null(0, 6)) c.request.item = item_from_json(nlohmann::json::parse(r.text(0, 6)));
  c.request.attempt = static_cast<int>(r.number(0, 7));
  c.request.inputs = nlohmann::json::parse(r.text(0, 8));
  c.num_interruptions = static_cast<int>(r.number(0, 9));
  c.request.manifest_hash = r.text(0, 10);
  return c;
}

std::optional<bool> ClaimQueue::renew(int64_t id, int64_t token, Millis lease) {
  PgResult r = db_.exec("renewing a task's lease", kRenew,
                        {std::to_string(id), std::to_string(token), std::to_string(lease.count())});
  if (r.rows() == 0) return std::nullopt;
  return r.text(0, 0) == "t";
}

bool ClaimQueue::finish(int64_t id, int64_t token, const AttemptOutcome& outcome) {
  PgParam retry_after =
      outcome.retry_after ? PgParam(std::to_string(outcome.retry_after->count())) : std::nullopt;
  PgResult r = db_.exec("recording a task's outcome", kFinish,
                        {std::to_string(id), std::to_string(token), to_string(outcome.kind),
                         outcome.output, outcome.error, retry_after});
  return r.rows() == 1;
}

bool ClaimQueue::release(int64_t id, int64_t token) {
  PgResult r =
      db_.exec("giving a task back", kRelease, {std::to_string(id), std::to_string(token)});
  return r.rows() == 1;
}

std::vector<ExpiredClaim> ClaimQueue::take_back_expired() {
  PgResult r = db_.exec("taking back expired leases", kTakeBack);
  std::vector<ExpiredClaim> taken;
  for (int row = 0; row < r.rows(); ++row) {
    taken.push_back({r.number(row, 0), r.text(row, 1), r.text(row, 2), r.text(row, 3),
                     static_cast<int>(r.number(row, 4))});
  }
  return taken;
}

std::optional<DoneClaim> ClaimQueue::take_done(int64_t id) {
  PgResult r = db_.exec("reading a task's outcome", kTakeDone, {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  std::optional<Millis> retry_after;
  if (!r.is_null(0, 3)) retry_after = Millis(r.number(0, 3));
  return DoneClaim{
      AttemptOutcome(parse_outcome_kind(r.text(0, 0)), r.text(0, 1), r.text(0, 2), retry_after),
      r.text(0, 4), static_cast<int>(r.number(0, 5))};
}

bool ClaimQueue::withdraw(int64_t id) {
  PgResult r = db_.exec("withdrawing a task",
                        "UPDATE task_claims SET status = 'consumed' "
                        "WHERE id = $1 AND status = 'ready' RETURNING id",
                        {std::to_string(id)});
  return r.rows() == 1;
}

void ClaimQueue::request_cancel(int64_t id) {
  db_.exec("cancelling a claimed task",
           "UPDATE task_claims SET cancel_requested = true WHERE id = $1", {std::to_string(id)});
}

}  // namespace flowweaver
