// Every cell of the trigger-rule table in workflows/FORMAT.md ("Trigger rules"), then the
// tracker that feeds the rules as upstream tasks settle.
#include "exec/trigger_rule.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "exec/upstream_tracker.h"
#include "manifest/flow_names.h"

namespace flowweaver {
namespace {

using O = UpstreamOutcome;
using D = TriggerDecision;

// A column of the table: how three upstream tasks stand.
struct Mix {
  std::string name;
  std::vector<O> settled;
  uint32_t unsettled = 0;
};

UpstreamTally tally_of(const Mix& mix) {
  UpstreamTally t;
  t.unsettled = static_cast<uint32_t>(mix.settled.size()) + mix.unsettled;
  for (O o : mix.settled) t.add(o);
  return t;
}

const std::vector<Mix> kColumns = {
    {"all succeeded", {O::kSucceeded, O::kSucceeded, O::kSucceeded}},
    {"all failed", {O::kFailed, O::kFailed, O::kFailed}},
    {"some succeeded, some failed", {O::kSucceeded, O::kFailed, O::kSucceeded}},
    {"some skipped, the rest succeeded", {O::kSkipped, O::kSucceeded, O::kSucceeded}},
    {"an allowed failure, the rest succeeded", {O::kAllowedFailure, O::kSucceeded, O::kSucceeded}},
    {"an upstream failed, the rest succeeded", {O::kUpstreamFailed, O::kSucceeded, O::kSucceeded}},
    {"all skipped", {O::kSkipped, O::kSkipped, O::kSkipped}},
    {"one succeeded, the rest still running", {O::kSucceeded}, 2},
    {"one failed, the rest still running", {O::kFailed}, 2},
};

// "skip^" is "skip as upstream failed".
const std::map<TriggerRule, std::vector<std::string>> kTable = {
    {TriggerRule::kAllSuccess,
     {"run", "skip^", "skip^", "skip", "skip", "skip^", "skip", "wait", "skip^"}},
    {TriggerRule::kAllDone, {"run", "run", "run", "run", "run", "run", "run", "wait", "wait"}},
    {TriggerRule::kAllFailed,
     {"skip", "run", "skip", "skip", "skip", "skip", "skip", "skip", "wait"}},
    {TriggerRule::kOneSuccess, {"run", "skip^", "run", "run", "run", "run", "skip", "run", "wait"}},
    {TriggerRule::kOneFailed, {"skip", "run", "run", "skip", "run", "run", "skip", "wait", "run"}},
    {TriggerRule::kNoneFailed,
     {"run", "skip^", "skip^", "run", "run", "skip^", "run", "wait", "skip^"}},
};

std::string cell(D d) {
  switch (d) {
    case D::kWait:
      return "wait";
    case D::kRun:
      return "run";
    case D::kSkip:
      return "skip";
    case D::kSkipUpstreamFailed:
      return "skip^";
  }
  return "?";
}

TEST(TriggerRuleTest, EveryCellOfTheTable) {
  ASSERT_EQ(kTable.size(), 6u);
  for (const auto& [rule, row] : kTable) {
    ASSERT_EQ(row.size(), kColumns.size());
    for (size_t c = 0; c < kColumns.size(); ++c) {
      EXPECT_EQ(cell(decide_trigger(rule, tally_of(kColumns[c]))), row[c])
          << trigger_rule_name(rule) << " with " << kColumns[c].name;
    }
  }
}

TEST(TriggerRuleTest, OnlyAllowedFailuresUpstream) {
  Mix allowed{"all allowed", {O::kAllowedFailure, O::kAllowedFailure}};
  EXPECT_EQ(decide_trigger(TriggerRule::kAllSuccess, tally_of(allowed)), D::kSkip);
  EXPECT_EQ(decide_trigger(TriggerRule::kOneSuccess, tally_of(allowed)), D::kSkip);
  EXPECT_EQ(decide_trigger(TriggerRule::kAllFailed, tally_of(allowed)), D::kRun);
  EXPECT_EQ(decide_trigger(TriggerRule::kAllDone, tally_of(allowed)), D::kRun);
  EXPECT_EQ(decide_trigger(TriggerRule::kOneFailed, tally_of(allowed)), D::kRun);
  EXPECT_EQ(decide_trigger(TriggerRule::kNoneFailed, tally_of(allowed)), D::kRun);
}

TEST(TriggerRuleTest, ASkipIsSeenDownstreamAsItsKind) {
  EXPECT_EQ(skipped_outcome(D::kSkip), O::kSkipped);
  EXPECT_EQ(skipped_outcome(D::kSkipUpstreamFailed), O::kUpstreamFailed);
}

// a, b -> join (one_success); join -> after (all_success)
TEST(UpstreamTrackerTest, DecidesOnceAsUpstreamTasksSettle) {
  Dag dag(4);
  dag.add_dependency(2, 0);
  dag.add_dependency(2, 1);
  dag.add_dependency(3, 2);
  UpstreamTracker tracker(dag, {TriggerRule::kAllSuccess, TriggerRule::kAllSuccess,
                                TriggerRule::kOneSuccess, TriggerRule::kAllSuccess});
  EXPECT_EQ(tracker.decide(0), D::kRun);
  EXPECT_EQ(tracker.decide(2), D::kWait);
  std::vector<UpstreamTracker::Decided> decided;
  tracker.settle(0, O::kSucceeded, &decided);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].task, 2u);
  EXPECT_EQ(decided[0].decision, D::kRun);
  decided.clear();
  tracker.settle(1, O::kFailed, &decided);
  EXPECT_TRUE(decided.empty()) << "join was decided already";
  EXPECT_EQ(tracker.outcome(1), O::kFailed);
  tracker.settle(2, O::kSucceeded, &decided);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].task, 3u);
}

}  // namespace
}  // namespace flowweaver
