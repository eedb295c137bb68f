// Reading and validating `foreach:`, `matrix:` and their companions (workflows/FORMAT.md,
// "foreach and matrix"): what is read into TaskSpec::fan_out, and each error with its position.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "manifest/fan_out_summary.h"
#include "manifest/manifest_reader.h"
#include "manifest/validator.h"
#include "manifest_parsing.h"
#include "test_registry.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;

// Reads cleanly, then validates against the test plugins; the validator's problems.
std::string validate(const std::string& yaml) {
  DiagnosticList d("test.yaml");
  Manifest m = parse_manifest(yaml, "test.yaml", &d);
  EXPECT_TRUE(d.empty()) << "the manifest should read cleanly: " << d.to_string();
  PluginRegistry registry = testing::test_registry();
  validate_manifest(
      m, registry, [](const std::string&) { return std::optional<std::string>(); }, &d);
  return d.to_string();
}

// One task `t` (of test.echo) with `extra` as its further keys, indented for a task.
std::string task_with(const std::string& extra) {
  return "name: w\ntasks:\n  - name: t\n    uses: test.echo\n" + extra;
}

TEST(FanOutReaderTest, ReadsAForeachListWithItsCapsAndPosition) {
  Manifest m = parse_ok(task_with(R"(    foreach: [a, 2, {k: v}]
    max_parallel: 4
    batch_size: 2
)"));
  ASSERT_TRUE(m.tasks[0].fan_out);
  const FanOut& f = *m.tasks[0].fan_out;
  EXPECT_EQ(f.kind, FanOut::Kind::kForEach);
  EXPECT_EQ(f.items, Json::parse(R"(["a", 2, {"k": "v"}])"));
  EXPECT_EQ(f.max_parallel, 4);
  EXPECT_EQ(f.batch_size, 2);
  EXPECT_EQ(f.location.line, 5);
  EXPECT_EQ(f.location.column, 14);
}

TEST(FanOutReaderTest, ATaskWithoutFanOutHasNone) {
  Manifest m = parse_ok(task_with(""));
  EXPECT_FALSE(m.tasks[0].fan_out);
}

TEST(FanOutReaderTest, ReadsAForeachReferenceAsItsText) {
  Manifest m = parse_ok(task_with("    foreach: ${params.regions}\n"));
  ASSERT_TRUE(m.tasks[0].fan_out);
  EXPECT_EQ(m.tasks[0].fan_out->items, "${params.regions}");
  EXPECT_EQ(m.tasks[0].fan_out->max_parallel, 0);
  EXPECT_EQ(m.tasks[0].fan_out->batch_size, 0);
}

TEST(FanOutReaderTest, ReadsAMatrixInWrittenOrderWithExcludes) {
  Manifest m = parse_ok(task_with(R"(    matrix:
      version: [2, 1]
      os: [debian, alpine]
    exclude:
      - {os: alpine}
    max_parallel: 1
)"));
  ASSERT_TRUE(m.tasks[0].fan_out);
  const FanOut& f = *m.tasks[0].fan_out;
  EXPECT_EQ(f.kind, FanOut::Kind::kMatrix);
  ASSERT_EQ(f.axes.size(), 2u);
  EXPECT_EQ(f.axes[0].first, "version");
  EXPECT_EQ(f.axes[0].second, (std::vector<Json>{2, 1}));
  EXPECT_EQ(f.axes[1].first, "os");
  EXPECT_EQ(f.axes[1].second, (std::vector<Json>{"debian", "alpine"}));
  ASSERT_EQ(f.exclude.size(), 1u);
  EXPECT_EQ(f.exclude[0], Json::parse(R"({"os": "alpine"})"));
  EXPECT_EQ(f.max_parallel, 1);
  EXPECT_EQ(f.location.line, 6);
}

TEST(FanOutReaderTest, CapsNeedAFanOut) {
  std::string errors = parse_errors(task_with(R"(    max_parallel: 2
    batch_size: 3
    exclude: [{os: a}]
)"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:5:19: `max_parallel` needs `foreach` or `matrix`"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:6:17: `batch_size` needs `foreach`"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:7:14: `exclude` needs `matrix`"));
}

TEST(FanOutReaderTest, ForeachAndMatrixTogetherAreRefused) {
  EXPECT_THAT(parse_errors(task_with("    foreach: [1]\n    matrix: {a: [1]}\n")),
              HasSubstr("test.yaml:6:13: task 't' has both `foreach` and `matrix`: a task has "
                        "one of them; split it into two tasks"));
}

TEST(FanOutReaderTest, BatchSizeAndExcludeBelongToTheirKind) {
  EXPECT_THAT(parse_errors(task_with("    matrix: {a: [1]}\n    batch_size: 2\n")),
              HasSubstr("test.yaml:6:17: `batch_size` is for `foreach` only"));
  EXPECT_THAT(parse_errors(task_with("    foreach: [1]\n    exclude: [{a: 1}]\n")),
              HasSubstr("test.yaml:6:14: `exclude` is for `matrix` only"));
}

TEST(FanOutReaderTest, CapsMustBePositiveIntegers) {
  EXPECT_THAT(parse_errors(task_with("    foreach: [1]\n    max_parallel: 0\n")),
              HasSubstr("test.yaml:6:19: `max_parallel` must be between 1 and 1000000"));
  EXPECT_THAT(parse_errors(task_with("    foreach: [1]\n    batch_size: -1\n")),
              HasSubstr("test.yaml:6:17: `batch_size` must be between 1 and 1000000"));
  EXPECT_THAT(parse_errors(task_with("    foreach: [1]\n    batch_size: two\n")),
              HasSubstr("test.yaml:6:17: `batch_size` must be a whole number"));
}

TEST(FanOutReaderTest, ForeachMustBeAListOrAString) {
  EXPECT_THAT(parse_errors(task_with("    foreach: 5\n")),
              HasSubstr("test.yaml:5:14: `foreach` must be a list, e.g. [a, b], or one "
                        "reference to a list, such as ${tasks.list.output.lines} or "
                        "${params.regions} (not '5')"));
  EXPECT_THAT(parse_errors(task_with("    foreach: {a: 1}\n")), HasSubstr("(not a map)"));
  EXPECT_THAT(parse_errors(task_with("    foreach:\n")), HasSubstr("(it is empty)"));
}

TEST(FanOutReaderTest, MatrixMustBeAMapOfNonEmptyLists) {
  EXPECT_THAT(parse_errors(task_with("    matrix: [a, b]\n")),
              HasSubstr("test.yaml:5:13: `matrix` must be a map of axes to lists of values"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {}\n")),
              HasSubstr("`matrix` must be a map of axes to lists of values"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {os: []}\n")),
              HasSubstr("test.yaml:5:18: matrix axis 'os' must be a non-empty list of values"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {os: debian}\n")),
              HasSubstr("matrix axis 'os' must be a non-empty list of values"));
}

TEST(FanOutReaderTest, MatrixAxisNamesAndValuesMustNameRowsUniquely) {
  EXPECT_THAT(parse_errors(task_with("    matrix: {\"a.b\": [x]}\n")),
              HasSubstr("test.yaml:5:14: matrix axis name 'a.b' may contain only letters"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {a: [x], a: [y]}\n")),
              HasSubstr("duplicate key 'a'"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {v: [1, 2, \"1\"]}\n")),
              HasSubstr("test.yaml:5:24: matrix axis 'v' lists '1' twice"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {v: [x, null]}\n")),
              HasSubstr("test.yaml:5:21: matrix axis 'v': each value must be a string, a "
                        "number or a boolean (it is named in the item's row, e.g. t[v=a])"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {v: [[1]]}\n")),
              HasSubstr("matrix axis 'v': each value must be a string"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {v: [\"a,b\"]}\n")),
              HasSubstr("test.yaml:5:18: matrix axis 'v': value 'a,b' may not contain ',', '=', "
                        "'[' or ']': they separate the parts of the item's row name, "
                        "t[v=value,...]"));
  EXPECT_THAT(parse_errors(task_with("    matrix: {v: [\"x=1\"]}\n")),
              HasSubstr("value 'x=1' may not contain"));
}

TEST(FanOutReaderTest, ALargeMatrixIsRefused) {
  std::string ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
  std::string axes = "{a: " + ten + ", b: " + ten + ", c: " + ten + ", d: " + ten + ", e: [1, 2]}";
  EXPECT_THAT(parse_errors(task_with("    matrix: " + axes + "\n")),
              HasSubstr("test.yaml:5:13: `matrix` makes more than 10000 combinations"));
  // Exactly at the cap is fine.
  parse_ok(
      task_with("    matrix: {a: " + ten + ", b: " + ten + ", c: " + ten + ", d: " + ten + "}\n"));
}

TEST(FanOutReaderTest, ExcludeNamesAxesAndValuesOfTheMatrix) {
  std::string matrix = "    matrix: {os: [debian, alpine], v: [1, 2]}\n";
  EXPECT_THAT(parse_errors(task_with(matrix + "    exclude: [{vv: 1}]\n")),
              HasSubstr("test.yaml:6:16: `exclude` names axis 'vv', which the matrix lacks "
                        "(did you mean 'v'?); its axes: os, v"));
  EXPECT_THAT(parse_errors(task_with(matrix + "    exclude: [{os: ubuntu}]\n")),
              HasSubstr("test.yaml:6:20: `exclude`: 'ubuntu' is not a value of matrix axis "
                        "'os'; its values: debian, alpine"));
  EXPECT_THAT(parse_errors(task_with(matrix + "    exclude: [{v: \"1\"}]\n")),
              HasSubstr("'1' is not a value of matrix axis 'v' (the axis holds 1, and this is "
                        "\"1\": write it as the axis does)"));
  EXPECT_THAT(parse_errors(task_with(matrix + "    exclude: [{}]\n")),
              HasSubstr("test.yaml:6:15: each `exclude` entry must be a map naming at least one "
                        "axis"));
  EXPECT_THAT(parse_errors(task_with(matrix + "    exclude: {os: debian}\n")),
              HasSubstr("test.yaml:6:14: `exclude` must be a list of maps"));
}

TEST(FanOutReaderTest, AnExcludeThatLeavesNothingIsRefused) {
  EXPECT_THAT(parse_errors(task_with(R"(    matrix: {os: [debian, alpine], v: [1, 2]}
    exclude: [{os: debian}, {os: alpine, v: 1}, {v: 2}]
)")),
              HasSubstr("test.yaml:6:14: `exclude` leaves no combination of the matrix, so task "
                        "'t' would never run"));
  parse_ok(task_with(R"(    matrix: {os: [debian, alpine], v: [1, 2]}
    exclude: [{os: debian}, {os: alpine, v: 1}]
)"));
}

TEST(FanOutReaderTest, FanOutIsNotADefault) {
  std::string errors = parse_errors(R"(name: w
defaults:
  foreach: [1]
  max_parallel: 2
tasks:
  - {name: t, uses: test.echo}
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:3:12: `foreach` cannot be a default: it says what "
                                "one task runs over; set it on each task that needs it"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:4:17: `max_parallel` cannot be a default"));
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("unknown key")));
}

TEST(FanOutReaderTest, HandlersHaveNoFanOut) {
  EXPECT_THAT(parse_errors(R"(name: w
tasks:
  - {name: t, uses: test.echo}
on_failure:
  - name: alert
    uses: test.echo
    matrix: {to: [ops, dev]}
)"),
              HasSubstr("test.yaml:7:13: `matrix` is not available on handlers: on_failure "
                        "handler 'alert' runs once, after the DAG"));
}

TEST(FanOutReaderTest, TaskNamesCannotHoldItemBrackets) {
  EXPECT_THAT(parse_errors("name: w\ntasks:\n  - {name: \"t[0]\", uses: test.echo}\n"),
              HasSubstr("task name 't[0]' may contain only letters, digits, '_' and '-'"));
}

TEST(FanOutValidationTest, ForeachReferencesFollowTheRulesOfWith) {
  std::string errors = validate(R"(name: w
params:
  regions: [eu, us]
tasks:
  - name: list
    uses: test.echo
  - name: a
    uses: test.echo
    foreach: ${tasks.list.output.lines}
  - name: b
    uses: test.echo
    foreach: ${tasks.lst.output}
  - name: c
    uses: test.echo
    foreach: ${params.region}
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:9:14: ${tasks.list.output.lines}: task 'a' must list "
                                "'list' in depends_on to use its output"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:12:14: ${tasks.lst.output}: no task 'lst' (did you "
                                "mean 'list'?)"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:15:14: ${params.region}: no param 'region' (did you "
                                "mean 'regions'?)"));
}

TEST(FanOutValidationTest, ForeachIsExactlyOneReferenceToATaskOrParam) {
  std::string errors = validate(R"(name: w
params:
  regions: [eu, us]
tasks:
  - name: a
    uses: test.echo
    foreach: "regions: ${params.regions}"
  - name: b
    uses: test.echo
    foreach: a, b
  - name: c
    uses: test.echo
    foreach: ${env.HOME}
  - name: d
    uses: test.echo
    foreach: ${params.}
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:7:14: `foreach` value 'regions: ${params.regions}' "
                                "must be a list, e.g. [a, b], or exactly one reference to a "
                                "list: ${tasks.NAME.output.PATH} or ${params.NAME} (text around "
                                "a reference makes a string)"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:10:14: `foreach` value 'a, b' must be a list"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:13:14: `foreach: ${env.HOME}`: a foreach list comes "
                                "from an upstream task's output or a param"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:16:14: `foreach`: bad reference ${params.}"));
}

TEST(FanOutValidationTest, AForeachParamMustBeAnArray) {
  std::string errors = validate(R"(name: w
params:
  count: 3
  names: {type: string, default: a}
  regions: {type: array}
tasks:
  - {name: a, uses: test.echo, foreach: "${params.count}"}
  - {name: b, uses: test.echo, foreach: "${params.names}"}
  - {name: c, uses: test.echo, foreach: "${params.regions}"}
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:7:41: `foreach: ${params.count}`: task 'a' runs once "
                                "per item of a list, but param 'count' is integer (line 3); "
                                "declare it `type: array`, or give it a list as its default"));
  EXPECT_THAT(errors, HasSubstr("param 'names' is string (line 4)"));
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("'regions'")));
}

TEST(FanOutValidationTest, ItemAndMatrixReferencesNeedTheirFanOut) {
  std::string errors = validate(R"(name: w
tasks:
  - name: a
    uses: test.echo
    foreach: [1, 2]
    with: {os: "${matrix.os}", i: "${item}"}
  - name: b
    uses: test.echo
    matrix: {os: [debian]}
    with: {o: "${matrix.os}", x: "${matrix.oss}", i: "${item_index}"}
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:6:16: ${matrix.os}: only a task with `matrix:`"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:10:34: ${matrix.oss}: the matrix of 'b' has no 'oss'"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:10:54: ${item_index}: only a task with `foreach:`"));
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("${item}:")));
}

TEST(FanOutValidationTest, ReferencesInALiteralListFollowTheRulesOfWith) {
  std::string errors = validate(R"(name: w
params:
  region: eu
tasks:
  - name: list
    uses: test.echo
  - name: a
    uses: test.echo
    foreach: ["${params.region}", "${params.regoin}", {f: "${tasks.list.output.x}"}]
  - name: b
    uses: test.echo
    foreach: [1, "${item_index}", "${params.}"]
)");
  EXPECT_THAT(errors, HasSubstr("test.yaml:9:14: ${params.regoin}: no param 'regoin' (did you "
                                "mean 'region'?)"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:9:14: ${tasks.list.output.x}: task 'a' must list "
                                "'list' in depends_on to use its output"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:12:14: `foreach` item 1: ${item_index} is a value of "
                                "one call, and the list makes the calls: use it in `with:`"));
  EXPECT_THAT(errors, HasSubstr("test.yaml:12:14: `foreach` item 2: bad reference ${params.}"));
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 4)
      << errors;  // none for ${params.region}
}

TEST(FanOutValidationTest, AWellFormedFanOutValidates) {
  EXPECT_EQ(validate(R"(name: w
params:
  regions: [eu, us]
tasks:
  - name: list
    uses: test.echo
  - name: a
    uses: test.echo
    depends_on: [list]
    foreach: ${tasks.list.output.lines}
    batch_size: 10
    with: {files: "${item}", batch: "${item_index}"}
  - name: b
    uses: test.echo
    foreach: ${params.regions}
    with: {region: "${item}"}
  - name: c
    uses: test.echo
    foreach: [{id: 1}, {id: 2}]
    with: {id: "${item.id}"}
  - name: d
    uses: test.echo
    matrix: {os: [debian, alpine]}
    with: {os: "${matrix.os}"}
)"),
            "");
}

TEST(FanOutSummaryTest, SaysHowManyCallsWhenTheManifestTellsIt) {
  Manifest m = parse_ok(R"(name: w
tasks:
  - {name: plain, uses: test.echo}
  - {name: one, uses: test.echo, foreach: [x]}
  - {name: three, uses: test.echo, foreach: [1, 2, 3], max_parallel: 2}
  - {name: batches, uses: test.echo, foreach: [1, 2, 3, 4, 5], batch_size: 2}
  - {name: later, uses: test.echo, foreach: "${params.regions}", batch_size: 100}
  - name: m
    uses: test.echo
    matrix: {os: [debian, alpine], v: [1, 2]}
    exclude: [{os: alpine, v: 1}]
)");
  EXPECT_EQ(fan_out_summary(m.tasks[0]), "");
  EXPECT_EQ(fan_out_summary(m.tasks[1]), "foreach: 1 item");
  EXPECT_EQ(fan_out_summary(m.tasks[2]), "foreach: 3 items, at most 2 at once");
  EXPECT_EQ(fan_out_summary(m.tasks[3]), "foreach: 5 items in 3 batches of 2");
  EXPECT_EQ(fan_out_summary(m.tasks[4]), "foreach ${params.regions} in batches of 100");
  EXPECT_EQ(fan_out_summary(m.tasks[5]), "matrix: 3 combinations");
}

}  // namespace
}  // namespace flowweaver
