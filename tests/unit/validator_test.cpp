#include "manifest/validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "manifest/manifest_reader.h"
#include "test_registry.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string validate(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest(yaml, "wf.yaml", &d);
  EXPECT_TRUE(d.empty()) << "the manifest should read cleanly: " << d.to_string();
  PluginRegistry registry = testing::test_registry();
  validate_manifest(
      m, registry,
      [&](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      },
      &d);
  return d.to_string();
}

TEST(ValidatorTest, AValidManifestHasNoProblems) {
  EXPECT_EQ(validate(R"(name: ok
params: {limit: 5}
tasks:
  - name: a
    uses: test.echo
    with: {n: "${params.limit}", home: "${env.HOME_DIR}", dir: "${manifest.dir}"}
  - name: b
    uses: test.sleep
    depends_on: [a]
    with: {duration: 2s, x: "${tasks.a.output.n}"}
)",
                     {{"HOME_DIR", "/home/x"}})
                .find("unknown key"),
            std::string::npos);
}

TEST(ValidatorTest, ParamsAreReferencedByDeclarationAndScheduledOnesNeedDefaults) {
  std::string errors = validate(R"(name: x
schedule: "0 3 * * *"
params:
  target: {type: string}
  batch: 5
tasks:
  - name: a
    uses: test.echo
    with: {t: "${params.target}", b: "${params.bacth}", r: "${run.id} ${workflow.name}"}
  - name: b
    uses: test.echo
    with: {s: "${run.stauts}"}
)");
  EXPECT_THAT(errors, HasSubstr("wf.yaml:4:3: param 'target' has no default, but a scheduled run "
                                "gives no params"));
  EXPECT_THAT(errors, HasSubstr("${params.bacth}: no param 'bacth' (did you mean 'batch'?)"));
  EXPECT_THAT(errors, Not(HasSubstr("${params.target}")));
  EXPECT_THAT(errors, Not(HasSubstr("${run.id}")));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:12:15: bad reference ${run.stauts}: the run has no field "
                                "'stauts' (did you mean 'status'?)"));
}

TEST(ValidatorTest, AWholeParamReferenceIsTypeCheckedByTheParamsDeclaredType) {
  std::string errors = validate(R"(name: x
params:
  count: {type: integer, default: "${env.COUNT:-3}"}
  ratio: {type: number}
  word: {type: string}
  flag: {type: boolean}
tasks:
  - name: t
    uses: test.typed
    with: {s: "${params.word}", i: "${params.count}", n: "${params.ratio}", b: "${params.flag}",
           o: "${params.ratio}", a: [], d: "${params.word}"}
)");
  EXPECT_THAT(errors, Not(HasSubstr("parameter 'i'")));
  EXPECT_THAT(errors, Not(HasSubstr("parameter 'n'")));
  EXPECT_THAT(errors, Not(HasSubstr("parameter 'b'")));
  EXPECT_THAT(errors, Not(HasSubstr("parameter 'd'")));
  EXPECT_THAT(errors, HasSubstr("task 't': parameter 'o' must be object, not number"));
}

TEST(ValidatorTest, DuplicateNamesAndUnknownDependencies) {
  std::string errors = validate(R"(name: x
tasks:
  - name: extract
    uses: test.noop
  - name: extract
    uses: test.noop
  - name: load
    uses: test.noop
    depends_on: [extarct, load]
)");
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:5:11: duplicate task name 'extract' (first defined at line 3)"));
  EXPECT_THAT(
      errors,
      HasSubstr(
          "wf.yaml:9:18: task 'load' depends on unknown task 'extarct' (did you mean 'extract'?)"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:9:27: task 'load' depends on itself"));
}

TEST(ValidatorTest, CyclesArePrintedAsAPath) {
  std::string errors = validate(R"(name: x
tasks:
  - name: a
    uses: test.noop
    depends_on: [c]
  - name: b
    uses: test.noop
    depends_on: [a]
  - name: c
    uses: test.noop
    depends_on: [b]
)");
  EXPECT_THAT(errors, HasSubstr("dependency cycle: a -> b -> c -> a"));
}

TEST(ValidatorTest, UnknownPluginAndTaskTypeListWhatIsAvailable) {
  std::string errors = validate(R"(name: x
tasks:
  - name: a
    uses: tset.noop
  - name: b
    uses: test.nop
  - name: c
    uses: noplugin
)");
  EXPECT_THAT(
      errors,
      HasSubstr(
          "wf.yaml:4:11: unknown plugin 'tset' (did you mean 'test'?); loaded plugins: test"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:6:11: plugin 'test' has no task type 'nop' (did you mean "
                                "'noop'?); it has: noop, echo"));
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:8:11: `uses: noplugin` must name a plugin and a task type"));
}

TEST(ValidatorTest, WithIsCheckedAgainstDeclaredParameters) {
  std::string errors = validate(R"(name: x
params: {word: hello, count: 3}
tasks:
  - name: t
    uses: test.typed
    with:
      s: 5
      i: "5"
      n: 1.5
      b: yes
      o: [1]
      a: {k: v}
      d: soon
      extra: 1
  - name: u
    uses: test.typed
    with: {s: "${params.count}", i: "${params.count}", n: 2, b: false, o: {}, a: [], d: 1m}
  - name: v
    uses: test.sleep
)");
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:7:10: task 't': parameter 's' must be string, not number"));
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:8:10: task 't': parameter 'i' must be integer, not string"));
  EXPECT_THAT(errors, Not(HasSubstr("parameter 'n'")));
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:10:10: task 't': parameter 'b' must be boolean, not string"));
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:11:10: task 't': parameter 'o' must be object, not array"));
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:12:10: task 't': parameter 'a' must be array, not object"));
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:13:10: task 't': parameter 'd': 'soon' is not a duration"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:14:14: task 't': test.typed has no parameter 'extra'; it "
                                "takes: s, i, n, b, o, a, d, opt"));
  // A whole-value reference to a param is checked with the param's type.
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:17:15: task 'u': parameter 's' must be string, not number"));
  EXPECT_THAT(errors, Not(HasSubstr("task 'u': parameter 'i'")));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:18:11: task 'v': test.sleep needs parameter 'duration'"));
}

TEST(ValidatorTest, UnresolvableReferences) {
  std::string errors = validate(R"(name: x
params: {limit: 5}
tasks:
  - name: a
    uses: test.echo
  - name: b
    uses: test.echo
    with:
      p: "${params.limt}"
      e: "${env.MISSING_VAR}"
      f: "${env.MISSING_VAR:-fallback}"
      t: "${tasks.a.output.x}"
      u: "${tasks.nosuch.output}"
      bad: "${nonsense}"
      open: "${params.limit"
)");
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:9:10: ${params.limt}: no param 'limt' (did you mean 'limit'?)"));
  EXPECT_THAT(
      errors,
      HasSubstr("wf.yaml:10:10: ${env.MISSING_VAR}: environment variable MISSING_VAR is not set"));
  EXPECT_THAT(errors, Not(HasSubstr(":11:")));
  EXPECT_THAT(
      errors,
      HasSubstr("wf.yaml:12:10: ${tasks.a.output.x}: task 'b' must list 'a' in depends_on"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:13:10: ${tasks.nosuch.output}: no task 'nosuch'"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:14:12: bad reference ${nonsense}"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:15:13: unterminated reference"));
}

TEST(ValidatorTest, SecretsMustBeSetDeclaredAndNotInParams) {
  std::string errors = validate(R"(name: x
secrets: [API_TOKEN, DB_PASSWORD]
params: {p: "${secrets.API_TOKEN}"}
tasks:
  - name: a
    uses: test.echo
    with: {t: "${secrets.API_TOKN}", u: "${secrets.API_TOKEN}", v: "${secrets.NOPE}"}
)",
                                {{"FLOWWEAVER_SECRET_API_TOKEN", "x"}});
  EXPECT_THAT(errors,
              HasSubstr("wf.yaml:2:22: secret 'DB_PASSWORD' is not set: give it in the file "
                        "$CREDENTIALS_DIRECTORY/DB_PASSWORD (CREDENTIALS_DIRECTORY is not "
                        "set) or in the environment variable FLOWWEAVER_SECRET_DB_PASSWORD"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:3:13: ${secrets.API_TOKEN}: params may not hold secrets"));
  EXPECT_THAT(errors, HasSubstr("wf.yaml:7:15: ${secrets.API_TOKN}: no secret 'API_TOKN' (did you "
                                "mean 'API_TOKEN'?); declared secrets: API_TOKEN, DB_PASSWORD"));
  EXPECT_THAT(errors, HasSubstr("${secrets.NOPE}: no secret 'NOPE'"));
  EXPECT_THAT(errors, Not(HasSubstr("7:41")));
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 4) << errors;
}

TEST(ValidatorTest, ASecretListedTwiceIsLookedUpOnce) {
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest("name: x\nsecrets: [A, A]\ntasks: []\n", "wf.yaml", &d);
  EXPECT_THAT(d.to_string(), HasSubstr("wf.yaml:2:14: secret 'A' is listed twice"));
  PluginRegistry registry = testing::test_registry();
  validate_manifest(
      m, registry, [](const std::string&) -> std::optional<std::string> { return std::nullopt; },
      &d);
  EXPECT_EQ(d.size(), 2u) << d.to_string();
}

TEST(ValidatorTest, ASecretVariableReadThroughEnvIsRefused) {
  std::string errors = validate(
      "name: x\ntasks:\n  - name: a\n    uses: test.echo\n"
      "    with: {t: \"${env.FLOWWEAVER_SECRET_TOKEN}\"}\n",
      {{"FLOWWEAVER_SECRET_TOKEN", "v"}});
  EXPECT_THAT(errors, HasSubstr("wf.yaml:5:15: ${env.FLOWWEAVER_SECRET_TOKEN}: a secret read as an "
                                "environment variable would not be masked: declare it (secrets: "
                                "[TOKEN]) and write ${secrets.TOKEN}"));
}

TEST(ValidatorTest, ASecretReferenceWithoutDeclarations) {
  EXPECT_THAT(validate("name: x\ntasks:\n  - name: a\n    uses: test.echo\n"
                       "    with: {t: \"${secrets.TOKEN}\"}\n"),
              HasSubstr("${secrets.TOKEN}: no secret 'TOKEN'; declare it in the manifest: "
                        "secrets: [TOKEN]"));
}

TEST(ValidatorTest, ASecretIsTextForTypeChecks) {
  std::string errors = validate(R"(name: x
secrets: [T]
tasks:
  - name: a
    uses: test.typed
    with: {s: "${secrets.T}", i: "${secrets.T}", n: 1, b: true, o: {}, a: [], d: 1s}
)",
                                {{"FLOWWEAVER_SECRET_T", "x"}});
  EXPECT_THAT(errors, HasSubstr("parameter 'i' must be integer, not string"));
  EXPECT_THAT(errors, Not(HasSubstr("parameter 's'")));
}

TEST(ValidatorTest, DeclaredSecretsAreLookedUp) {
  DiagnosticList d("wf.yaml");
  Manifest m = parse_manifest("name: x\nsecrets: [T]\ntasks: []\n", "wf.yaml", &d);
  PluginRegistry registry = testing::test_registry();
  ValidationResult result;
  validate_manifest(
      m, registry,
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "FLOWWEAVER_SECRET_T") return "value";
        return std::nullopt;
      },
      &d, &result);
  EXPECT_TRUE(d.empty()) << d.to_string();
  EXPECT_EQ(result.secrets.at("T"), "value");
}

}  // namespace
}  // namespace flowweaver
