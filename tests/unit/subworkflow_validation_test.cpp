// `uses: workflow.run` and `outputs:` as `validate` checks them: child manifests on disk, each
// problem at its position in the parent (the child's own position in the message).
#include "manifest/subworkflow_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "manifest/manifest_reader.h"
#include "manifest/workflow_outputs.h"
#include "scratch_dir.h"
#include "subworkflow_runner.h"
#include "test_registry.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SubworkflowValidationTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.file(name);
    std::ofstream(path) << text;
    return path;
  }

  // Every problem of the manifest `name`, one "file:line:column: message" per line.
  std::string validate(const std::string& name) {
    std::string path = dir_.file(name);
    DiagnosticList d(path);
    Manifest m = read_manifest(path, &d);
    PluginRegistry registry = testing::test_registry();
    validate_manifest(m, registry, process_env, &d);
    return d.to_string();
  }

  testing::ScratchDir dir_;
};

const char* kChild = R"(name: child
params:
  count: {type: integer}
  label: {type: string, default: none}
outputs:
  total: ${tasks.merge.output.value}
  label: ${params.label}
tasks:
  - {name: work, uses: test.echo, with: {value: "${params.count}"}}
  - {name: merge, uses: test.echo, depends_on: [work], with: {value: "${tasks.work.output.value}"}}
)";

TEST_F(SubworkflowValidationTest, AParentRunningAValidChildHasNoProblems) {
  write("child.yaml", kChild);
  write("parent.yaml", R"(name: parent
tasks:
  - name: sub
    uses: workflow.run
    with: {file: child.yaml, params: {count: 3}}
  - {name: after, uses: test.echo, depends_on: [sub], with: {t: "${tasks.sub.output.total}"}}
)");
  EXPECT_EQ(validate("parent.yaml"), "");
}

TEST_F(SubworkflowValidationTest, WithNeedsALiteralFileThatExistsAndNothingElse) {
  std::string parent = write("parent.yaml", R"(name: parent
params: {f: child.yaml}
tasks:
  - {name: none, uses: workflow.run}
  - {name: templated, uses: workflow.run, with: {file: "${params.f}"}}
  - {name: missing, uses: workflow.run, with: {file: nothere.yaml, extra: 1}}
  - {name: listed, uses: workflow.run, with: {file: [a.yaml], params: 3}}
)");
  std::string errors = validate("parent.yaml");
  EXPECT_THAT(errors, HasSubstr(parent + ":4:12: task 'none': workflow.run needs `with: {file: "));
  EXPECT_THAT(errors, HasSubstr(parent + ":5:56: task 'templated': `file` must be a literal path"));
  EXPECT_THAT(errors, HasSubstr(parent + ":6:54: task 'missing': no manifest at " +
                                dir_.file("nothere.yaml")));
  EXPECT_THAT(errors, HasSubstr(parent + ":6:75: task 'missing': workflow.run has no parameter "
                                         "'extra'; it takes: file, params"));
  EXPECT_THAT(errors, HasSubstr(parent + ":7:53: task 'listed': `file` must be a literal path"));
  EXPECT_THAT(errors, HasSubstr(parent + ":7:71: task 'listed': `params` must be a map"));
}

TEST_F(SubworkflowValidationTest, TheChildsProblemsArePointedAtFromTheParentWithTheirOwnPosition) {
  std::string child = write("child.yaml", R"(name: child
outputs:
  x: ${tasks.nope.output.y}
tasks:
  - {name: t, uses: test.nosuch}
)");
  std::string parent = write("parent.yaml", R"(name: parent
tasks:
  - name: sub
    uses: workflow.run
    with: {file: child.yaml}
)");
  std::string errors = validate("parent.yaml");
  EXPECT_THAT(errors, HasSubstr(parent + ":5:18: task 'sub': in sub-workflow " + child +
                                ":3:6: ${tasks.nope.output.y}: no task 'nope'"));
  EXPECT_THAT(errors, HasSubstr(parent + ":5:18: task 'sub': in sub-workflow " + child +
                                ":5:21: plugin 'test' has no task type 'nosuch'"));
}

TEST_F(SubworkflowValidationTest, ParamsMustBeTheChildsAndItsRequiredOnesGiven) {
  write("child.yaml", kChild);
  std::string parent = write("parent.yaml", R"(name: parent
tasks:
  - name: sub
    uses: workflow.run
    with: {file: child.yaml, params: {cuont: 3}}
)");
  std::string errors = validate("parent.yaml");
  EXPECT_THAT(errors, HasSubstr(parent + ":5:46: task 'sub': workflow 'child' has no param "
                                         "'cuont' (did you mean 'count'?); its params: count, "
                                         "label"));
  EXPECT_THAT(errors, HasSubstr(parent + ":3:11: task 'sub': workflow 'child' needs param "
                                         "'count' (it has no default)"));
}

TEST_F(SubworkflowValidationTest, LiteralParamValuesAreCheckedAgainstTheirDeclaredTypes) {
  write("child.yaml", kChild);
  std::string parent = write("parent.yaml", R"(name: parent
params: {n: 2}
tasks:
  - name: sub
    uses: workflow.run
    with: {file: child.yaml, params: {count: ten, label: 5}}
  - {name: ok, uses: workflow.run, with: {file: child.yaml, params: {count: "${params.n}"}}}
)");
  std::string errors = validate("parent.yaml");
  EXPECT_THAT(errors,
              HasSubstr(parent + ":6:46: task 'sub': workflow 'child': parameter 'count' "));
  EXPECT_THAT(errors,
              HasSubstr(parent + ":6:58: task 'sub': workflow 'child': parameter 'label' "));
  EXPECT_THAT(errors, Not(HasSubstr("task 'ok'")));
}

TEST_F(SubworkflowValidationTest, AReferenceToTheTasksOutputMustNameAChildOutput) {
  write("child.yaml", kChild);
  std::string parent = write("parent.yaml", R"(name: parent
tasks:
  - {name: sub, uses: workflow.run, with: {file: child.yaml, params: {count: 1}}}
  - {name: after, uses: test.echo, depends_on: [sub], with: {t: "${tasks.sub.output.totl}"}}
)");
  EXPECT_THAT(
      validate("parent.yaml"),
      HasSubstr(parent + ":4:65: ${tasks.sub.output.totl}: workflow 'child' (child.yaml) has no "
                         "output 'totl' (did you mean 'total'?); its outputs: label, total"));
}

TEST_F(SubworkflowValidationTest, ACycleOfWorkflowsIsAnErrorNamingTheChain) {
  write("a.yaml", "name: a\ntasks:\n  - {name: to_b, uses: workflow.run, with: {file: b.yaml}}\n");
  write("b.yaml", "name: b\ntasks:\n  - {name: to_c, uses: workflow.run, with: {file: c.yaml}}\n");
  write("c.yaml", "name: c\ntasks:\n  - {name: to_a, uses: workflow.run, with: {file: a.yaml}}\n");
  write("self.yaml",
        "name: self\ntasks:\n  - {name: me, uses: workflow.run, with: {file: ./self.yaml}}\n");
  std::string errors = validate("a.yaml");
  EXPECT_THAT(errors, HasSubstr("workflow cycle: " + dir_.file("a.yaml") +
                                " -> b.yaml -> c.yaml -> a.yaml: a workflow may not run itself"));
  EXPECT_THAT(errors, HasSubstr(dir_.file("a.yaml") + ":3:51: task 'to_b': in sub-workflow "));
  EXPECT_THAT(validate("self.yaml"), HasSubstr(dir_.file("self.yaml") + ":3:49: workflow cycle: " +
                                               dir_.file("self.yaml") + " -> ./self.yaml"));
}

TEST_F(SubworkflowValidationTest, TheSameChildTwiceIsNoCycle) {
  write("child.yaml", kChild);
  write("parent.yaml", R"(name: parent
tasks:
  - {name: one, uses: workflow.run, with: {file: child.yaml, params: {count: 1}}}
  - {name: two, uses: workflow.run, with: {file: child.yaml, params: {count: 2}}}
)");
  EXPECT_EQ(validate("parent.yaml"), "");
}

TEST_F(SubworkflowValidationTest, AChildNamedAsItsParentIsRefused) {
  write("child.yaml", "name: parent\ntasks:\n  - {name: t, uses: test.noop}\n");
  std::string parent =
      write("parent.yaml",
            "name: parent\ntasks:\n  - {name: s, uses: workflow.run, with: {file: child.yaml}}\n");
  EXPECT_THAT(validate("parent.yaml"),
              HasSubstr(parent +
                        ":3:48: task 's': the sub-workflow in child.yaml is also named "
                        "'parent', like " +
                        parent + "; each workflow's state file is named after it: rename one"));
  // Any workflow of the chain: a grandchild named as its grandparent.
  write("middle.yaml",
        "name: middle\ntasks:\n  - {name: s, uses: workflow.run, with: {file: child.yaml}}\n");
  std::string top =
      write("top.yaml",
            "name: parent\ntasks:\n  - {name: m, uses: workflow.run, with: {file: middle.yaml}}\n");
  EXPECT_THAT(validate("top.yaml"), HasSubstr("the sub-workflow in child.yaml is also named "
                                              "'parent', like " +
                                              top));
}

TEST_F(SubworkflowValidationTest, ASubworkflowTaskTakesNoFanOut) {
  write("child.yaml", "name: child\ntasks:\n  - {name: t, uses: test.noop}\n");
  std::string path =
      write("parent.yaml",
            "name: parent\ntasks:\n  - {name: s, uses: workflow.run, with: {file: child.yaml}}\n");
  DiagnosticList d(path);
  Manifest m = read_manifest(path, &d);
  ASSERT_TRUE(d.empty()) << d.to_string();
  auto fan_out = std::make_shared<FanOut>();
  fan_out->location = {3, 60};
  fan_out->items = Json::array({1, 2});
  m.tasks[0].fan_out = fan_out;
  PluginRegistry registry = testing::test_registry();
  validate_manifest(m, registry, process_env, &d);
  EXPECT_THAT(d.to_string(), HasSubstr(path + ":3:60: task 's': workflow.run does not take "
                                              "`foreach:` or `matrix:`"));
}

TEST_F(SubworkflowValidationTest, OutputsMustBeAMapOfNamesReferringToTasksAndParams) {
  std::string path = write("wf.yaml", R"(name: wf
params: {p: 1}
secrets: [TOKEN]
outputs:
  ok: "${tasks.a.output.v} and ${params.p} in ${manifest.dir}"
  bad name: 1
  handler: ${tasks.h.output.v}
  secret: ${secrets.TOKEN}
  param: ${params.q}
tasks:
  - {name: a, uses: test.echo, with: {v: 1}}
on_exit:
  - {name: h, uses: test.noop}
)");
  DiagnosticList d(path);
  Manifest m = read_manifest(path, &d);
  PluginRegistry registry = testing::test_registry();
  validate_manifest(
      m, registry, [](const std::string&) -> std::optional<std::string> { return "x"; }, &d);
  std::string errors = d.to_string();
  EXPECT_THAT(errors, HasSubstr(":6:13: output name 'bad name' may contain only"));
  EXPECT_THAT(errors, HasSubstr(":7:12: ${tasks.h.output.v}: no task 'h'"));
  EXPECT_THAT(errors, HasSubstr(":8:11: ${secrets.TOKEN}: outputs may refer to"));
  EXPECT_THAT(errors, HasSubstr(":9:10: ${params.q}: no param 'q' (did you mean 'p'?)"));
  EXPECT_THAT(errors, Not(HasSubstr(":5:")));

  DiagnosticList not_a_map("x.yaml");
  parse_manifest("name: x\noutputs: [a]\ntasks:\n  - {name: a, uses: test.noop}\n", "x.yaml",
                 &not_a_map);
  EXPECT_THAT(not_a_map.to_string(), HasSubstr("x.yaml:2:10: `outputs` must be a map"));
}

TEST(WorkflowOutputsTest, ResolveFromTheTasksOutputsAndParamsKeepingTypes) {
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest(R"(name: wf
outputs:
  total: ${tasks.merge.output.value}
  text: "n=${params.n}"
tasks:
  - {name: merge, uses: test.echo}
)",
                              "wf.yaml", &d);
  ASSERT_TRUE(d.empty()) << d.to_string();
  Json merged = {{"value", 42}};
  auto outputs = resolve_workflow_outputs(
      m, {{"n", 3}}, [&](const std::string& name) { return name == "merge" ? &merged : nullptr; });
  EXPECT_EQ(outputs, (Json{{"total", 42}, {"text", "n=3"}}));
  Json other = {{"other", 1}};
  EXPECT_THROW(resolve_workflow_outputs(m, {{"n", 3}}, [&](const std::string&) { return &other; }),
               std::runtime_error);
}

TEST(ChildStatePathTest, TheChildsStateLivesBesideItsParentsWithItsExtension) {
  EXPECT_EQ(child_state_path("var/parent.db", "child"), "var/child.db");
  EXPECT_EQ(child_state_path("/srv/state/p.json", "child"), "/srv/state/child.json");
  EXPECT_EQ(child_state_path("parent.db", "child"), "child.db");
  EXPECT_EQ(child_state_path("state/parent", "child"), "state/child.db");
}

}  // namespace
}  // namespace flowweaver
