// Reading and validating what decides a run's course after a failure: trigger rules, allowed
// failures, `on_failure`/`on_exit` handlers and the run's `timeout` (workflows/FORMAT.md).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "manifest/flow_names.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"
#include "test_registry.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Manifest parse_ok(const std::string& yaml) {
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest(yaml, "wf.yaml", &d);
  EXPECT_TRUE(d.empty()) << d.to_string();
  return m;
}

std::string parse_errors(const std::string& yaml) {
  DiagnosticList d("wf.yaml");
  parse_manifest(yaml, "wf.yaml", &d);
  return d.to_string();
}

// Reads cleanly, then validates against the test plugins; the validator's problems.
std::string validate(const std::string& yaml) {
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest(yaml, "wf.yaml", &d);
  EXPECT_TRUE(d.empty()) << "the manifest should read cleanly: " << d.to_string();
  PluginRegistry registry = testing::test_registry();
  validate_manifest(
      m, registry, [](const std::string&) { return std::optional<std::string>(); }, &d);
  return d.to_string();
}

TEST(TriggerRuleNamesTest, EveryRuleReadsBackFromItsName) {
  ASSERT_EQ(trigger_rule_names().size(), 6u);
  EXPECT_EQ(trigger_rule_names().front(), "all_success");
  for (const std::string& name : trigger_rule_names()) {
    std::optional<TriggerRule> rule = parse_trigger_rule(name);
    ASSERT_TRUE(rule) << name;
    EXPECT_EQ(trigger_rule_name(*rule), name);
  }
  EXPECT_FALSE(parse_trigger_rule("all_succes"));
}

TEST(FailureHandlingManifestTest, ReadsTriggerRulesAndAllowedFailures) {
  Manifest m = parse_ok(R"(name: w
tasks:
  - name: a
    uses: builtin.noop
    allow_failure: true
  - name: b
    uses: builtin.noop
    depends_on: [a]
    trigger_rule: none_failed
  - name: c
    uses: builtin.noop
    depends_on: [a, b]
    trigger_rule: one_failed
    allow_failure: false
)");
  ASSERT_EQ(m.tasks.size(), 3u);
  EXPECT_TRUE(m.tasks[0].allow_failure);
  EXPECT_EQ(m.tasks[0].trigger_rule, TriggerRule::kAllSuccess);
  EXPECT_EQ(m.tasks[1].trigger_rule, TriggerRule::kNoneFailed);
  EXPECT_EQ(m.tasks[1].trigger_rule_location.line, 9);
  EXPECT_EQ(m.tasks[1].trigger_rule_location.column, 19);
  EXPECT_FALSE(m.tasks[1].allow_failure);
  EXPECT_EQ(m.tasks[2].trigger_rule, TriggerRule::kOneFailed);
  EXPECT_FALSE(m.tasks[2].allow_failure);
  for (const TaskSpec& t : m.tasks) EXPECT_EQ(t.role, TaskRole::kTask);
}

TEST(FailureHandlingManifestTest, AnUnknownTriggerRuleIsNamedWithTheClosestOne) {
  std::string errors = parse_errors(R"(name: w
tasks:
  - name: a
    uses: builtin.noop
  - name: b
    uses: builtin.noop
    depends_on: [a]
    trigger_rule: all_sucess
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:8:19: `trigger_rule` must be one of all_success, "
                                "all_done, all_failed, one_success, one_failed, none_failed "
                                "(did you mean 'all_success'?)"));
}

TEST(FailureHandlingManifestTest, ARuleOtherThanTheDefaultNeedsUpstreamTasks) {
  std::string errors = parse_errors(R"(name: w
tasks:
  - name: a
    uses: builtin.noop
    trigger_rule: all_done
  - name: b
    uses: builtin.noop
    trigger_rule: all_success
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:5:19: task 'a': `trigger_rule: all_done` needs "
                                "`depends_on`: without upstream tasks there is nothing to wait "
                                "for (list the tasks it follows, or remove the rule)"));
  EXPECT_THAT(errors, Not(HasSubstr("wf.yaml:8")));  // the default says nothing new: allowed
}

TEST(FailureHandlingManifestTest, AllowFailureIsABoolean) {
  EXPECT_THAT(parse_errors(R"(name: w
tasks:
  - name: a
    uses: builtin.noop
    allow_failure: sometimes
)"),
              HasSubstr("wf.yaml:5:20: `allow_failure` must be true or false"));
}

TEST(FailureHandlingManifestTest, DefaultsRefuseTheKeysThatRelateATaskToItsUpstream) {
  std::string errors = parse_errors(R"(name: w
defaults:
  allow_failure: true
  trigger_rule: all_done
tasks:
  - name: a
    uses: builtin.noop
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:3:18: `allow_failure` cannot be a default: it says how "
                                "one task relates to its upstream tasks; set it on each task "
                                "that needs it"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:4:17: `trigger_rule` cannot be a default"));
  EXPECT_THAT(errors, Not(HasSubstr("unknown key")));
}

TEST(FailureHandlingManifestTest, HandlersFollowTheTasksWithTheirRoleAndTheDefaults) {
  Manifest m = parse_ok(R"(name: w
defaults:
  retries: 2
tasks:
  - name: work
    uses: builtin.noop
on_exit:
  - name: cleanup
    uses: builtin.noop
    timeout: 1m
on_failure:
  - name: alert
    uses: builtin.echo
    with: {message: failed}
  - name: page
    uses: builtin.noop
    depends_on: [alert]
    trigger_rule: all_done
    allow_failure: true
)");
  ASSERT_EQ(m.tasks.size(), 4u);
  EXPECT_EQ(m.tasks[0].name, "work");
  EXPECT_EQ(m.tasks[0].role, TaskRole::kTask);
  // on_failure first, whatever the order in the file, then on_exit.
  EXPECT_EQ(m.tasks[1].name, "alert");
  EXPECT_EQ(m.tasks[1].role, TaskRole::kOnFailure);
  EXPECT_EQ(m.tasks[1].with["message"], Json("failed"));
  EXPECT_EQ(m.tasks[1].retry.retries, 2);
  EXPECT_EQ(m.tasks[2].name, "page");
  EXPECT_EQ(m.tasks[2].role, TaskRole::kOnFailure);
  EXPECT_EQ(m.tasks[2].trigger_rule, TriggerRule::kAllDone);
  EXPECT_TRUE(m.tasks[2].allow_failure);
  EXPECT_EQ(m.tasks[3].name, "cleanup");
  EXPECT_EQ(m.tasks[3].role, TaskRole::kOnExit);
  EXPECT_EQ(m.tasks[3].timeout, Millis(60000));
  EXPECT_EQ(m.tasks[3].location.line, 8);
}

TEST(FailureHandlingManifestTest, HandlerListsAreListsOfTasks) {
  std::string errors = parse_errors(R"(name: w
tasks:
  - name: a
    uses: builtin.noop
on_failure:
  name: alert
on_exit:
  - uses: builtin.noop
  - name: cleanup
  - name: tidy
    uses: builtin.noop
    trigger_rule: all_done
    retires: 3
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:6:3: `on_failure` must be a list of handler tasks, "
                                "each with `name` and `uses`"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:8:5: on_exit handler is missing `name`"));
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:9:5: on_exit handler 'cleanup' is missing `uses` (e.g. uses: "
                        "builtin.noop)"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:12:19: on_exit handler 'tidy': `trigger_rule: "
                                "all_done` needs `depends_on`"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:13:5: unknown key 'retires' in an on_exit handler "
                                "(did you mean 'retries'?)"));
}

TEST(FailureHandlingManifestTest, EmptyHandlerListsAreNoHandlers) {
  Manifest m = parse_ok(R"(name: w
tasks:
  - name: a
    uses: builtin.noop
on_failure:
on_exit: []
)");
  EXPECT_EQ(m.tasks.size(), 1u);
}

TEST(FailureHandlingManifestTest, ReadsTheRunTimeout) {
  Manifest m = parse_ok(R"(name: w
timeout: 2h
defaults:
  timeout: 10m
tasks:
  - name: a
    uses: builtin.noop
)");
  EXPECT_EQ(m.timeout, Millis(2 * 3600 * 1000));
  EXPECT_EQ(m.timeout_location.line, 2);
  EXPECT_EQ(m.tasks[0].timeout, Millis(10 * 60 * 1000));  // per attempt: not the run's
  EXPECT_FALSE(parse_ok("name: w\ntasks: []\n").timeout);
}

TEST(FailureHandlingManifestTest, ABadOrZeroRunTimeoutIsRefusedWithTheFix) {
  EXPECT_THAT(parse_errors("name: w\ntimeout: 0s\ntasks: []\n"),
              HasSubstr("wf.yaml:2:10: the run's `timeout` must be longer than 0 (leave it out "
                        "for no deadline)"));
  std::string errors = parse_errors("name: w\ntimeout: 2 hours\ntasks: []\n");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:2:10: "));
  EXPECT_THAT(errors, HasSubstr("timeout"));
  EXPECT_THAT(errors, HasSubstr("1h"));  // the error shows how a duration is written
  EXPECT_THAT(parse_errors("name: w\ntimeout: 7200\ntasks: []\n"), HasSubstr("wf.yaml:2:10: "));
}

TEST(FailureHandlingManifestTest, AValidManifestWithHandlersHasNoProblems) {
  EXPECT_EQ(validate(R"(name: ok
timeout: 1h
tasks:
  - name: a
    uses: test.noop
    allow_failure: true
  - name: b
    uses: test.echo
    depends_on: [a]
    trigger_rule: all_done
on_failure:
  - name: alert
    uses: test.echo
    with: {message: failed}
  - name: page
    uses: test.noop
    depends_on: [alert]
on_exit:
  - name: cleanup
    uses: test.noop
)"),
            "");
}

TEST(FailureHandlingManifestTest, NamesAreUniqueAcrossTasksAndHandlers) {
  std::string errors = validate(R"(name: w
tasks:
  - name: report
    uses: test.noop
on_failure:
  - name: report
    uses: test.noop
on_exit:
  - name: report
    uses: test.noop
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:6:11: the name 'report' of this on_failure handler is "
                                "taken by the task at line 3: names are unique across tasks and "
                                "handlers; rename one"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:9:11: the name 'report' of this on_exit handler is "
                                "taken by the task at line 3"));
}

TEST(FailureHandlingManifestTest, NoTaskDependsOnAHandler) {
  EXPECT_THAT(validate(R"(name: w
tasks:
  - name: a
    uses: test.noop
    depends_on: [cleanup]
on_exit:
  - name: cleanup
    uses: test.noop
)"),
              HasSubstr("wf.yaml:5:18: task 'a' cannot depend on on_exit handler 'cleanup' "
                        "(line 7): handlers run after every task has ended; remove it from "
                        "depends_on"));
}

TEST(FailureHandlingManifestTest, AHandlerDependsOnlyOnHandlersOfItsOwnList) {
  std::string errors = validate(R"(name: w
tasks:
  - name: a
    uses: test.noop
on_failure:
  - name: alert
    uses: test.noop
    depends_on: [a]
on_exit:
  - name: cleanup
    uses: test.noop
    depends_on: [alert]
  - name: tidy
    uses: test.noop
    depends_on: [cleanup]
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:8:18: on_failure handler 'alert' cannot depend on task "
                                "'a': a handler may depend only on handlers of its own list "
                                "(on_failure); remove it from depends_on"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:12:18: on_exit handler 'cleanup' cannot depend on "
                                "on_failure handler 'alert'"));
  EXPECT_THAT(errors, Not(HasSubstr("wf.yaml:15")));
}

TEST(FailureHandlingManifestTest, ACycleAmongHandlersIsPrintedAsAPath) {
  EXPECT_THAT(validate(R"(name: w
tasks:
  - name: a
    uses: test.noop
on_exit:
  - name: first
    uses: test.noop
    depends_on: [second]
  - name: second
    uses: test.noop
    depends_on: [first]
)"),
              HasSubstr("wf.yaml:6:11: dependency cycle: first -> second -> first"));
}

TEST(FailureHandlingManifestTest, HandlersComeAfterEveryTaskInTheGraphsOrder) {
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest(R"(name: w
tasks:
  - name: late
    uses: test.noop
    depends_on: [early]
  - name: early
    uses: test.noop
on_failure:
  - name: alert
    uses: test.noop
on_exit:
  - name: cleanup
    uses: test.noop
)",
                              "wf.yaml", &d);
  ASSERT_TRUE(d.empty()) << d.to_string();
  EXPECT_EQ(build_dag(m).topological_order(), (std::vector<uint32_t>{1, 0, 2, 3}));
}

TEST(FailureHandlingManifestTest, HandlersAreCheckedAgainstPluginsLikeTasks) {
  std::string errors = validate(R"(name: w
tasks:
  - name: a
    uses: test.noop
on_exit:
  - name: cleanup
    uses: test.nope
  - name: wait
    uses: test.sleep
    with: {duration: soon}
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:7:11: plugin 'test' has no task type 'nope'"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:10:22: task 'wait': parameter 'duration': 'soon' is not "
                                "a duration"));
}

TEST(FailureHandlingManifestTest, AHandlerCannotReadTaskOutputs) {
  EXPECT_THAT(validate(R"(name: w
tasks:
  - name: a
    uses: test.echo
on_failure:
  - name: alert
    uses: test.echo
    with: {got: "${tasks.a.output.x}"}
)"),
              HasSubstr("wf.yaml:8:17: ${tasks.a.output.x}: on_failure handler 'alert' can read "
                        "the outputs of handlers of its own list only; a handler sees the run's "
                        "outcome as ${run.status} and ${run.failed_tasks}"));
}

}  // namespace
}  // namespace flowweaver
