// The claim queue on a real PostgreSQL (cluster/claim_queue.h): claims never shared, leases that
// expire and fencing tokens that make a late holder's writes fail.
#include "cluster/claim_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "state/postgres_store.h"
#include "unit/postgres_state_server.h"

namespace flowweaver {
namespace {

using testing::new_postgres_database;

// A database with the store's schema and the cluster tables.
std::string claims_database(const std::string& name) {
  std::string url = new_postgres_database(name);
  PostgresStore store(url);
  return url;
}

ClaimRequest request(const std::string& task, int attempt = 1, const std::string& wf = "wf") {
  ClaimRequest r;
  r.run_id = "run-1";
  r.workflow = wf;
  r.manifest_hash = "v1";
  r.task_name = task;
  r.task_index = 3;
  r.attempt = attempt;
  r.inputs = {{"extract", "{\"rows\":2}"}};
  return r;
}

const std::vector<WorkflowVersion> kWf = {{"wf", "v1"}};
constexpr Millis kLongLease{60000};

TEST(ClaimQueueTest, AClaimCarriesTheRequestAndTheOutcomeComesBackOnce) {
  PgConnection db(claims_database("carries"));
  ClaimQueue queue(db);
  ClaimRequest r = request("convert[1]", 2);
  r.item = TaskItem{3, 7, "convert[1]", 1, nlohmann::json("b.csv"), nullptr};
  OfferedClaim offered = queue.offer(r);
  EXPECT_FALSE(offered.found);

  std::optional<Claim> c = queue.claim("host-a", kWf, kLongLease);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->id, offered.id);
  EXPECT_EQ(c->request.run_id, "run-1");
  EXPECT_EQ(c->request.task_name, "convert[1]");
  EXPECT_EQ(c->request.task_index, 3u);
  EXPECT_EQ(c->request.attempt, 2);
  EXPECT_EQ(c->request.inputs, r.inputs);
  ASSERT_TRUE(c->request.item);
  EXPECT_EQ(c->request.item->slot, 7u);
  EXPECT_EQ(c->request.item->value, "b.csv");
  EXPECT_FALSE(queue.claim("host-b", kWf, kLongLease)) << "one row, claimed once";

  EXPECT_FALSE(queue.take_done(c->id)) << "not done yet";
  AttemptOutcome outcome(AttemptOutcome::Kind::kRetryable, "", "busy", Millis(1500));
  ASSERT_TRUE(queue.finish(c->id, c->token, outcome));
  std::optional<DoneClaim> taken = queue.take_done(c->id);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->outcome.kind, AttemptOutcome::Kind::kRetryable);
  EXPECT_EQ(taken->outcome.error, "busy");
  EXPECT_EQ(taken->outcome.retry_after, Millis(1500));
  EXPECT_EQ(taken->holder, "host-a");
  EXPECT_EQ(taken->num_interruptions, 0);
  EXPECT_FALSE(queue.take_done(c->id)) << "consumed";
}

TEST(ClaimQueueTest, ARowOfAnAttemptNotYetConsumedIsFoundInsteadOfOfferedAgain) {
  PgConnection db(claims_database("found"));
  ClaimQueue queue(db);
  OfferedClaim first = queue.offer(request("load"));
  std::optional<Claim> c = queue.claim("host-a", kWf, kLongLease);
  ASSERT_TRUE(c);
  ASSERT_TRUE(queue.finish(c->id, c->token, AttemptOutcome(AttemptOutcome::Kind::kOk, "1", "")));
  // The run's host died before it read the outcome; resumed, it asks for the same attempt.
  OfferedClaim again = queue.offer(request("load"));
  EXPECT_TRUE(again.found);
  EXPECT_EQ(again.id, first.id);
  ASSERT_TRUE(queue.take_done(again.id));
  EXPECT_FALSE(queue.offer(request("load", 2)).found) << "a consumed row is not reused";
}

TEST(ClaimQueueTest, AResumedRunsNextAttemptTakesOverTheOrphanOfTheAttemptBefore) {
  PgConnection db(claims_database("orphan"));
  ClaimQueue queue(db);
  OfferedClaim orphan = queue.offer(request("load", 1));
  // The run's host died; the resumed run recorded attempt 1 INTERRUPTED and starts attempt 2.
  OfferedClaim next = queue.offer(request("load", 2));
  EXPECT_TRUE(next.found);
  EXPECT_EQ(next.id, orphan.id);
  queue.offer(request("third", 3));
  EXPECT_FALSE(queue.offer(request("third", 2)).found) << "a later attempt's row taken over";
  // Resumed by a host serving another version of the manifest: the orphan is not taken over
  // (nobody might claim it), and withdrawn while nobody claimed it.
  OfferedClaim old_version = queue.offer(request("fourth", 1));
  ClaimRequest new_version = request("fourth", 2);
  new_version.manifest_hash = "v2";
  EXPECT_FALSE(queue.offer(new_version).found);
  EXPECT_FALSE(queue.withdraw(old_version.id)) << "the old version's row was left ready";
  OfferedClaim cancelled = queue.offer(request("other", 1));
  queue.request_cancel(cancelled.id);
  EXPECT_FALSE(queue.offer(request("other", 2)).found) << "a row being cancelled taken over";
}

TEST(ClaimQueueTest, RacingClaimersNeverGetTheSameRow) {
  std::string url = claims_database("racing");
  constexpr int kRows = 300, kClaimers = 4;
  {
    PgConnection db(url);
    ClaimQueue queue(db);
    for (int i = 0; i < kRows; ++i) queue.offer(request("t" + std::to_string(i)));
  }
  std::mutex mutex;
  std::multiset<int64_t> claimed;
  std::map<std::string, int> by_holder;
  std::vector<std::thread> claimers;
  for (int k = 0; k < kClaimers; ++k) {
    claimers.emplace_back([&, k] {
      PgConnection db(url);
      ClaimQueue queue(db);
      std::string holder = "host-" + std::to_string(k);
      while (std::optional<Claim> c = queue.claim(holder, kWf, kLongLease)) {
        std::lock_guard<std::mutex> lock(mutex);
        claimed.insert(c->id);
        ++by_holder[holder];
      }
    });
  }
  for (std::thread& t : claimers) t.join();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kRows));
  std::set<int64_t> distinct(claimed.begin(), claimed.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kRows)) << "a row was claimed twice";
}

TEST(ClaimQueueTest, AnExpiredLeaseIsTakenBackAndTheLateHoldersWritesAreRefused) {
  PgConnection db(claims_database("expired"));
  ClaimQueue queue(db);
  queue.offer(request("slow"));
  std::optional<Claim> late = queue.claim("host-a", kWf, Millis(1));
  ASSERT_TRUE(late);
  std::this_thread::sleep_for(Millis(20));  // past the lease, on any clock

  std::vector<ExpiredClaim> taken = queue.take_back_expired();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].id, late->id);
  EXPECT_EQ(taken[0].holder, "host-a");
  EXPECT_EQ(taken[0].task_name, "slow");
  EXPECT_TRUE(queue.take_back_expired().empty());

  std::optional<Claim> next = queue.claim("host-b", kWf, kLongLease);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, late->id);
  EXPECT_NE(next->token, late->token) << "a new claim, a new token";
  EXPECT_EQ(next->num_interruptions, 1);

  EXPECT_FALSE(queue.renew(late->id, late->token, kLongLease)) << "stale token renewed";
  EXPECT_FALSE(queue.finish(late->id, late->token,
                            AttemptOutcome(AttemptOutcome::Kind::kOk, "\"late\"", "")))
      << "stale token's result accepted";
  EXPECT_TRUE(queue.renew(next->id, next->token, kLongLease));
  ASSERT_TRUE(queue.finish(next->id, next->token,
                           AttemptOutcome(AttemptOutcome::Kind::kOk, "\"on time\"", "")));
  EXPECT_FALSE(queue.finish(next->id, next->token,
                            AttemptOutcome(AttemptOutcome::Kind::kOk, "\"twice\"", "")))
      << "a done row is finished once";
  std::optional<DoneClaim> done = queue.take_done(next->id);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome.output, "\"on time\"");
  EXPECT_EQ(done->holder, "host-b");
  EXPECT_EQ(done->num_interruptions, 1);
}

TEST(ClaimQueueTest, ALiveLeaseIsNotTakenBack) {
  PgConnection db(claims_database("alive"));
  ClaimQueue queue(db);
  queue.offer(request("steady"));
  std::optional<Claim> c = queue.claim("host-a", kWf, kLongLease);
  ASSERT_TRUE(c);
  EXPECT_TRUE(queue.take_back_expired().empty());
  EXPECT_TRUE(queue.finish(c->id, c->token, AttemptOutcome()));
}

TEST(ClaimQueueTest, ACancelReachesTheHolderAtItsRenewalAndAnUnclaimedRowIsWithdrawn) {
  PgConnection db(claims_database("cancel"));
  ClaimQueue queue(db);
  OfferedClaim running = queue.offer(request("running"));
  std::optional<Claim> c = queue.claim("host-a", kWf, kLongLease);
  ASSERT_TRUE(c);
  EXPECT_EQ(queue.renew(c->id, c->token, kLongLease), std::optional<bool>(false));
  queue.request_cancel(running.id);
  EXPECT_EQ(queue.renew(c->id, c->token, kLongLease), std::optional<bool>(true));
  EXPECT_FALSE(queue.withdraw(running.id)) << "claimed: its holder ends the call";

  OfferedClaim waiting = queue.offer(request("waiting"));
  EXPECT_TRUE(queue.withdraw(waiting.id));
  EXPECT_FALSE(queue.claim("host-b", kWf, kLongLease)) << "a withdrawn row was claimed";
}

TEST(ClaimQueueTest, AHostClaimsOnlyTheWorkflowVersionsItServes) {
  PgConnection db(claims_database("served"));
  ClaimQueue queue(db);
  queue.offer(request("a", 1, "other \"wf\""));
  EXPECT_FALSE(queue.claim("host-a", kWf, kLongLease));
  EXPECT_FALSE(queue.claim("host-a", {{"other \"wf\"", "v2"}}, kLongLease))
      << "another version of the manifest claimed it";
  std::optional<Claim> c =
      queue.claim("host-a", {{"wf", "v1"}, {"other \"wf\"", "v1"}}, kLongLease);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->request.workflow, "other \"wf\"");
  EXPECT_EQ(c->request.manifest_hash, "v1");
}

TEST(ClaimQueueTest, AHostWhosePluginCopyDiffersFromTheRunsPinClaimsNoneOfItsTasks) {
  PgConnection db(claims_database("pins"));
  db.exec("pinning", "INSERT INTO run_plugins VALUES ('run-1', 'builtin', 'aaa')");
  ClaimQueue queue(db);
  queue.offer(request("extract"));
  EXPECT_FALSE(queue.claim("old-copy", kWf, kLongLease, PluginShas{{"builtin", "bbb"}}));
  EXPECT_FALSE(queue.claim("no-copy", kWf, kLongLease, PluginShas{{"shell", "ccc"}}));
  std::optional<Claim> c =
      queue.claim("same-copy", kWf, kLongLease, PluginShas{{"builtin", "aaa"}, {"shell", "ccc"}});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->request.task_name, "extract");
}

}  // namespace
}  // namespace flowweaver
