// The command line: exit codes, validation output, introspection commands.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kValid = R"(name: wf
tasks:
  - name: extract
    uses: builtin.echo
    with: {n: 1}
  - name: load
    uses: builtin.noop
    depends_on: [extract]
)";

// A key or value may hold line breaks and escape sequences (YAML's "\n" and "\e"): printed raw
// they would forge diagnostics or rewrite the terminal.
TEST(CliTest, DiagnosticsAndErrorsPrintUserTextWithControlCharactersEscaped) {
  TempDir dir;
  dir.write("evil.yaml", R"(name: wf
tasks:
  - name: a
    uses: builtin.noop
    "x\e[2J\nevil.yaml:1:1: all is well": 1
)");
  ProcessResult r = run_flowweaver({"validate", "evil.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("x\\x1b[2J\\nevil.yaml:1:1: all is well")) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
  EXPECT_EQ(r.err.find("\nevil.yaml:1:1"), std::string::npos);
}

TEST(CliTest, ValidateReportsEveryProblemWithFileLineColumnAndExitsTwo) {
  TempDir dir;
  dir.write("bad.yaml", R"(name: wf
tasks:
  - name: a
    uses: builtin.nop
    retries: -2
  - name: b
    uses: builtin.sleep
    with: {duration: forever}
    depends_on: [a, c]
)");
  ProcessResult r = run_flowweaver({"validate", "bad.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      r.err,
      HasSubstr("bad.yaml:4:11: plugin 'builtin' has no task type 'nop' (did you mean 'noop'?)"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:5:14: `retries` must be between 0 and 1000"));
  EXPECT_THAT(
      r.err,
      HasSubstr("bad.yaml:8:22: task 'b': parameter 'duration': 'forever' is not a duration"));
  EXPECT_THAT(r.err, HasSubstr("bad.yaml:9:21: task 'b' depends on unknown task 'c'"));
  EXPECT_THAT(r.err, HasSubstr("4 problem(s) found"));
}

TEST(CliTest, RunOfAnInvalidManifestRunsNothingAndCreatesNoState) {
  TempDir dir;
  dir.write("bad.yaml", "name: wf\ntasks:\n  - {name: a, uses: builtin.echo, depends_on: [a]}\n");
  ProcessResult r = run_flowweaver({"run", "bad.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("task 'a' depends on itself"));
  EXPECT_THAT(r.err, HasSubstr("nothing was run"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "var"));
}

TEST(CliTest, MissingManifestAndBadYamlAreClearErrors) {
  TempDir dir;
  ProcessResult missing = run_flowweaver({"validate", "nope.yaml"}, dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("nope.yaml: cannot read the manifest"));
  dir.write("broken.yaml", "name: wf\ntasks: [\n");
  ProcessResult broken = run_flowweaver({"validate", "broken.yaml"}, dir.path());
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.err, HasSubstr("broken.yaml:2:8: invalid YAML: this '[' is never closed"));
}

TEST(CliTest, ValidateAcceptsAGoodManifest) {
  TempDir dir;
  dir.write("wf.yaml", kValid);
  ProcessResult r = run_flowweaver({"validate", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok (workflow 'wf', 2 tasks)"));
}

TEST(CliTest, UsageErrorsExitTwoAndVersionExitsZero) {
  TempDir dir;
  EXPECT_EQ(run_flowweaver({"run"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_flowweaver({"frobnicate"}, dir.path()).exit_code, 2);
  EXPECT_EQ(run_flowweaver({"run", "x.yaml", "--max-workers", "0"}, dir.path()).exit_code, 2);
  ProcessResult v = run_flowweaver({"--version"}, dir.path());
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, HasSubstr("flowweaver "));
  EXPECT_EQ(run_flowweaver({"run", "--help"}, dir.path()).exit_code, 0);
}

// The names in the "Subcommands:" section of `flowweaver --help`, in the order listed.
std::vector<std::string> subcommands_listed(const std::string& help) {
  std::istringstream in(help);
  std::string line;
  while (std::getline(in, line) && line != "Subcommands:") {
  }
  std::vector<std::string> names;
  while (std::getline(in, line) && !line.empty()) {
    std::istringstream words(line);
    std::string name;
    if (words >> name) names.push_back(name);
  }
  return names;
}

// Each command declares its own options (cli/commands.h); one whose options clash or whose
// registration is broken shows up here, whichever command it is, new ones included.
TEST(CliTest, EverySubcommandListedByHelpAnswersItsOwnHelp) {
  TempDir dir;
  ProcessResult help = run_flowweaver({"--help"}, dir.path());
  ASSERT_EQ(help.exit_code, 0) << help.err;
  std::vector<std::string> names = subcommands_listed(help.out);
  EXPECT_THAT(names, ::testing::IsSupersetOf({"run", "validate", "status", "serve"})) << help.out;
  for (const std::string& name : names) {
    ProcessResult r = run_flowweaver({name, "--help"}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr("flowweaver " + name + " [OPTIONS]")) << name;
  }
}

TEST(CliTest, GraphPrintsDot) {
  TempDir dir;
  dir.write("wf.yaml", kValid);
  ProcessResult r = run_flowweaver({"graph", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("digraph \"wf\" {"));
  EXPECT_THAT(r.out, HasSubstr("\"extract\" -> \"load\";"));
}

TEST(CliTest, PluginsListsTheShippedPluginsAndDescribesParameters) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"plugins"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("builtin 1.0.0"));
  EXPECT_THAT(r.out, HasSubstr("builtin.sleep"));
  ProcessResult d = run_flowweaver({"plugins", "--describe", "builtin"}, dir.path());
  EXPECT_EQ(d.exit_code, 0);
  EXPECT_THAT(d.out, HasSubstr("duration (duration, required): How long to sleep"));
  EXPECT_THAT(d.out, HasSubstr("times (integer, default 1000000)"));
  ProcessResult unknown = run_flowweaver({"plugins", "--describe", "bultin"}, dir.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("did you mean 'builtin'?"));
}

}  // namespace
}  // namespace flowweaver::testing
