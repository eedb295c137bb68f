#include "manifest/manifest_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "manifest_parsing.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;

TEST(ManifestReaderTest, ReadsTasksDefaultsAndOverrides) {
  Manifest m = parse_ok(R"(
name: etl
description: nightly load
max_workers: 3
defaults:
  retries: 2
  retry_delay: 500ms
  backoff: exponential
  max_retry_delay: 1m
  timeout: 30s
tasks:
  - name: extract
    uses: builtin.noop
  - name: load
    uses: builtin.echo
    depends_on: [extract]
    retries: 0
    timeout: 1h
)");
  EXPECT_EQ(m.name, "etl");
  EXPECT_EQ(m.description, "nightly load");
  EXPECT_EQ(m.max_workers, 3);
  ASSERT_EQ(m.tasks.size(), 2u);
  EXPECT_EQ(m.tasks[0].retry.retries, 2);
  EXPECT_EQ(m.tasks[0].retry.retry_delay, Millis(500));
  EXPECT_EQ(m.tasks[0].retry.backoff, Backoff::kExponential);
  EXPECT_EQ(m.tasks[0].retry.max_retry_delay, Millis(60000));
  EXPECT_EQ(m.tasks[0].timeout, Millis(30000));
  EXPECT_EQ(m.tasks[1].retry.retries, 0);
  EXPECT_EQ(m.tasks[1].timeout, Millis(3600000));
  EXPECT_EQ(m.tasks[1].depends_on, (std::vector<std::string>{"extract"}));
  EXPECT_EQ(m.tasks[1].location.line, 14);  // the raw string starts with a newline
}

TEST(ManifestReaderTest, WithValuesFollowTheCoreSchema) {
  Manifest m = parse_ok(R"(
name: types
tasks:
  - name: t
    uses: builtin.echo
    with:
      number: 50
      quoted: "50"
      octal_looking: 010
      hex: 0x1F
      float: 2.5
      yes: true
      nothing: null
      tilde: ~
      word: yes
      list: [1, two]
      map: {a: 1}
)");
  const Json& with = m.tasks[0].with;
  EXPECT_EQ(with["number"], Json(50));
  EXPECT_EQ(with["quoted"], Json("50"));
  EXPECT_EQ(with["octal_looking"], Json(10));
  EXPECT_EQ(with["hex"], Json(31));
  EXPECT_EQ(with["float"], Json(2.5));
  EXPECT_EQ(with["yes"], Json(true));
  EXPECT_TRUE(with["nothing"].is_null());
  EXPECT_TRUE(with["tilde"].is_null());
  EXPECT_EQ(with["word"], Json("yes"));  // YAML 1.2: only true/false are booleans
  EXPECT_EQ(with["list"], Json::parse(R"([1, "two"])"));
  EXPECT_EQ(with["map"], Json::parse(R"({"a": 1})"));
}

TEST(ManifestReaderTest, InvalidYamlNamesLineAndColumn) {
  EXPECT_THAT(parse_errors("name: x\ntasks: [\n  - a: b\n"), HasSubstr("test.yaml:"));
  EXPECT_THAT(parse_errors("name: x\ntasks: [\n  - a: b\n"), HasSubstr("invalid YAML"));
}

TEST(ManifestReaderTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep =
      "name: x\ntasks:\n  - name: a\n    uses: b.c\n    with: {v: " + std::string(100000, '[') +
      std::string(100000, ']') + "}\n";
  EXPECT_THAT(parse_errors(deep), HasSubstr("levels deep, beyond what the reader accepts"));
}

TEST(ManifestReaderTest, BytesThatAreNotUtf8AreReportedWhereTheyAre) {
  EXPECT_THAT(parse_errors("name: x\ntasks:\n  - {name: a, uses: b.c, with: {v: \"caf\xe9\"}}\n"),
              HasSubstr("test.yaml:3:40: the file is not valid UTF-8 (byte 0xE9)"));
  EXPECT_THAT(parse_errors("name: \xc0\xaf\ntasks: []\n"),
              HasSubstr("test.yaml:1:7:"));  // overlong
  EXPECT_THAT(parse_errors("name: \xed\xa0\x80\ntasks: []\n"), HasSubstr("not valid UTF-8"));
  EXPECT_EQ(parse_errors("name: caf\xc3\xa9-\xf0\x9f\x98\x80\ntasks: []\n").find("UTF-8"),
            std::string::npos);
}

TEST(ManifestReaderTest, UnknownKeysSuggestTheClosestOne) {
  std::string errors = parse_errors(R"(name: x
tasks:
  - name: a
    uses: builtin.noop
    depend_on: [b]
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:5:5: unknown key 'depend_on' in a task (did you mean "
                                "'depends_on'?)"));
  EXPECT_THAT(parse_errors("name: x\ntasks: []\nmax_worker: 2\n"),
              HasSubstr("test.yaml:3:1: unknown key 'max_worker' at the top level (did you mean "
                        "'max_workers'?)"));
}

TEST(ManifestReaderTest, ReportsEveryProblemAtOnce) {
  std::string errors = parse_errors(R"(name: x
tasks:
  - name: a
    uses: builtin.noop
    retries: -1
    timeout: 30
    retry_delay: soon
    backoff: linear
  - name: b
    uses: [not, a, string]
    depends_on: a
)");
  EXPECT_THAT(errors, HasSubstr(":5:14: `retries` must be between 0 and 1000"));
  EXPECT_THAT(errors, HasSubstr(":6:14: `timeout`: '30' is not a duration"));
  EXPECT_THAT(errors, HasSubstr(":7:18: `retry_delay`: 'soon' is not a duration"));
  EXPECT_THAT(errors, HasSubstr(":8:14: `backoff` must be 'fixed' or 'exponential'"));
  EXPECT_THAT(errors, HasSubstr(":10:11: `uses` must be a string"));
  EXPECT_THAT(errors, HasSubstr(":11:17: `depends_on` must be a list of task names"));
}

TEST(ManifestReaderTest, DuplicateKeysAreErrorsNotSilentlyOverwritten) {
  std::string errors = parse_errors(R"(name: x
tasks:
  - name: a
    uses: builtin.echo
    with:
      k: 1
      k: 2
)");
  EXPECT_THAT(errors, HasSubstr(":7:7: duplicate key 'k' (first given at line 6)"));
}

TEST(ManifestReaderTest, MissingRequiredKeysAndBadNames) {
  std::string errors = parse_errors("tasks:\n  - uses: builtin.noop\n  - name: 'bad.name'\n");
  EXPECT_THAT(errors, HasSubstr("missing `name`"));
  EXPECT_THAT(errors, HasSubstr(":2:5: task is missing `name`"));
  EXPECT_THAT(errors, HasSubstr("task name 'bad.name' may contain only"));
  EXPECT_THAT(errors, HasSubstr("is missing `uses`"));
  EXPECT_THAT(parse_errors("- just\n- a list\n"), HasSubstr("a manifest must be a map"));
}

TEST(ManifestReaderTest, NonStringScalarTypesAreRejected) {
  EXPECT_THAT(parse_errors("name: x\nmax_workers: many\ntasks: []\n"),
              HasSubstr(":2:14: `max_workers` must be a whole number"));
  EXPECT_THAT(parse_errors("name: x\nmax_workers: 0\ntasks: []\n"),
              HasSubstr("`max_workers` must be between 1 and 1024"));
  EXPECT_THAT(parse_errors("name: x\nparams: [1]\ntasks: []\n"),
              HasSubstr("`params` must be a map"));
}

TEST(ManifestReaderTest, ScheduleAndCatchup) {
  Manifest m = parse_ok("name: x\nschedule: \"*/15 9-17 * * MON-FRI\"\ncatchup: true\ntasks: []\n");
  EXPECT_EQ(m.schedule, "*/15 9-17 * * MON-FRI");
  EXPECT_EQ(m.schedule_location.line, 2);
  EXPECT_EQ(m.schedule_location.column, 11);
  EXPECT_TRUE(m.catchup);
  Manifest plain = parse_ok("name: x\ntasks: []\n");
  EXPECT_FALSE(plain.schedule);
  EXPECT_FALSE(plain.catchup);
  EXPECT_FALSE(parse_ok("name: x\nschedule: 0 3 * * *\ntasks: []\n").catchup);
}

TEST(ManifestReaderTest, BadScheduleAndCatchupPointAtTheValue) {
  EXPECT_THAT(parse_errors("name: x\nschedule: \"0 25 * * *\"\ntasks: []\n"),
              HasSubstr("test.yaml:2:11: `schedule`: '0 25 * * *' is not a cron expression: "
                        "field 2 (hour): 25 is out of range 0-23"));
  EXPECT_THAT(parse_errors("name: x\nschedule: 0 0 30 2 *\ntasks: []\n"),
              HasSubstr("test.yaml:2:11: `schedule`: '0 0 30 2 *' is not a cron expression: "
                        "field 3 (day-of-month): no day in '30' exists in month '2'"));
  EXPECT_THAT(parse_errors("name: x\nschedule: [0, 3]\ntasks: []\n"),
              HasSubstr("test.yaml:2:11: `schedule` must be a string"));
  EXPECT_THAT(parse_errors("name: x\nschedule: 0 3 * * *\ncatchup: yes\ntasks: []\n"),
              HasSubstr("test.yaml:3:10: `catchup` must be true or false"));
  EXPECT_THAT(parse_errors("name: x\ncatchup: true\ntasks: []\n"),
              HasSubstr("test.yaml:2:10: `catchup` needs a `schedule`"));
  EXPECT_THAT(parse_errors("name: x\nschedul: 0 3 * * *\ntasks: []\n"),
              HasSubstr("unknown key 'schedul' at the top level (did you mean 'schedule'?)"));
}

TEST(ManifestReaderTest, IsolationAndMemoryLimitFromDefaultsAndTasks) {
  Manifest m = parse_ok(R"(name: x
defaults: {isolation: process, memory_limit: 512MB}
tasks:
  - {name: a, uses: p.t}
  - {name: b, uses: p.t, isolation: in-process}
  - {name: c, uses: p.t, memory_limit: 1GiB}
)");
  EXPECT_EQ(m.tasks[0].isolation, Isolation::kProcess);
  EXPECT_EQ(m.tasks[0].memory_limit, 512u << 20);
  EXPECT_EQ(m.tasks[1].isolation, Isolation::kInProcess);
  EXPECT_EQ(m.tasks[2].memory_limit, 1u << 30);
  EXPECT_EQ(parse_ok("name: x\ntasks:\n  - {name: a, uses: p.t}\n").tasks[0].isolation,
            Isolation::kInProcess);
}

// `serve` runs tasks in child processes unless the manifest says otherwise.
TEST(ManifestReaderTest, TheHostsDefaultIsolationAppliesOnlyWhereTheManifestIsSilent) {
  Manifest m = parse_ok(R"(name: x
tasks:
  - {name: a, uses: p.t}
  - {name: b, uses: p.t, isolation: in-process}
)");
  apply_default_isolation(&m.tasks, Isolation::kProcess);
  EXPECT_EQ(m.tasks[0].isolation, Isolation::kProcess);
  EXPECT_EQ(m.tasks[1].isolation, Isolation::kInProcess);
  Manifest d = parse_ok(R"(name: x
defaults: {isolation: in-process}
tasks:
  - {name: a, uses: p.t}
)");
  apply_default_isolation(&d.tasks, Isolation::kProcess);
  EXPECT_EQ(d.tasks[0].isolation, Isolation::kInProcess);
}

TEST(ManifestReaderTest, BadIsolationAndMemoryLimitPointAtTheValue) {
  EXPECT_THAT(parse_errors("name: x\ntasks:\n  - {name: a, uses: p.t, isolation: proces}\n"),
              HasSubstr("test.yaml:3:37: `isolation` must be 'in-process' (the default) or "
                        "'process'"));
  EXPECT_THAT(parse_errors("name: x\ntasks:\n  - {name: a, uses: p.t, isolation: proces}\n"),
              HasSubstr("(did you mean 'process'?)"));
  EXPECT_THAT(parse_errors("name: x\ndefaults: {isolation: process, memory_limit: lots}\n"
                           "tasks: []\n"),
              HasSubstr("test.yaml:2:46: `memory_limit` must be a size of at least 1MiB"));
  EXPECT_THAT(parse_errors("name: x\ntasks:\n  - {name: a, uses: p.t, memory_limit: 64MB}\n"),
              HasSubstr("test.yaml:3:40: `memory_limit` needs `isolation: process`"));
}

TEST(ManifestReaderTest, ReadsDeclaredSecrets) {
  Manifest m = parse_ok("name: x\nsecrets: [API_TOKEN, _db2]\ntasks: []\n");
  ASSERT_EQ(m.secrets.size(), 2u);
  EXPECT_EQ(m.secrets[0].name, "API_TOKEN");
  EXPECT_EQ(m.secrets[0].location.line, 2);
  EXPECT_EQ(m.secrets[0].location.column, 11);
  EXPECT_EQ(m.secrets[1].name, "_db2");
}

TEST(ManifestReaderTest, BadSecretDeclarations) {
  EXPECT_THAT(
      parse_errors("name: x\nsecrets: API_TOKEN\ntasks: []\n"),
      HasSubstr("test.yaml:2:10: `secrets` must be a list of secret names, e.g. [API_TOKEN]"));
  std::string errors = parse_errors("name: x\nsecrets: [api-token, 2FA, A, A, [B]]\ntasks: []\n");
  EXPECT_THAT(errors, HasSubstr("test.yaml:2:11: secret name 'api-token' must start with a letter "
                                "or '_' and hold only letters, digits and '_'"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:2:22: secret name '2FA' must start"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:2:30: secret 'A' is listed twice (first at line 2)"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:2:33: `secrets` must be a string"));
}

}  // namespace
}  // namespace flowweaver

namespace flowweaver {
namespace {

TEST(ManifestReaderTest, PoolAndPriorityFromDefaultsAndTasks) {
  Manifest m = parse_ok(R"(name: x
defaults: {pool: warehouse, priority: 2}
tasks:
  - {name: a, uses: p.t}
  - {name: b, uses: p.t, pool: api, priority: -3}
)");
  EXPECT_EQ(m.tasks[0].pool, "warehouse");
  EXPECT_EQ(m.tasks[0].priority, 2);
  EXPECT_EQ(m.tasks[1].pool, "api");
  EXPECT_EQ(m.tasks[1].pool_location.line, 5);
  EXPECT_EQ(m.tasks[1].priority, -3);
  Manifest none = parse_ok("name: x\ntasks:\n  - {name: a, uses: p.t}\n");
  EXPECT_EQ(none.tasks[0].pool, "");
  EXPECT_EQ(none.tasks[0].priority, 0);
}

TEST(ManifestReaderTest, BadPoolNamesAndPrioritiesPointAtTheValue) {
  EXPECT_THAT(parse_errors("name: x\ntasks:\n  - {name: a, uses: p.t, pool: 'ware house'}\n"),
              HasSubstr("test.yaml:3:32: pool name 'ware house' may contain only letters, "
                        "digits, '_' and '-'"));
  EXPECT_THAT(parse_errors("name: x\ntasks:\n  - {name: a, uses: p.t, priority: high}\n"),
              HasSubstr("test.yaml:3:36: `priority`"));
  EXPECT_THAT(parse_errors("name: x\ndefaults: {priority: 1.5}\ntasks: []\n"),
              HasSubstr("test.yaml:2:22: `priority`"));
  EXPECT_THAT(parse_errors("name: x\ntasks:\n  - {name: a, uses: p.t, priority: 99999999}\n"),
              HasSubstr("test.yaml:3:36: `priority` must be between -1000000 and 1000000"));
}

}  // namespace
}  // namespace flowweaver
