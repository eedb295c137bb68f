// The plugin boundary with real files: a plugin written in C, files that are not plugins (wrong
// ABI, no entry symbol, garbage, a truncated library) and task types that misbehave. Each case
// must be reported with the file and the reason, and none may take the host down.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;
namespace fs = std::filesystem;

// FLOWWEAVER_PLUGIN_PATH left empty: only --plugin-dir and the default directory beside the
// binary (where the build writes the shipped plugins) are searched, each once.
const std::map<std::string, std::string> kOnlyPluginDirs = {{"FLOWWEAVER_PLUGIN_PATH", ""}};

std::vector<std::string> with_plugin_dirs(std::vector<std::string> args,
                                          const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    args.push_back("--plugin-dir");
    args.push_back(dir);
  }
  return args;
}

std::string task_column(const TempDir& dir, const std::string& workflow, const std::string& column,
                        const std::string& task) {
  std::vector<std::string> rows =
      query_column((dir.path() / "var" / (workflow + ".db")).string(),
                   "SELECT " + column + " FROM tasks WHERE task_name = '" + task + "'");
  return rows.empty() ? "<no row for task " + task + ">" : rows.front();
}

TEST(PluginLoadingTest, PluginWrittenInCIsListedDescribedAndRuns) {
  TempDir dir;
  ProcessResult list = run_flowweaver(with_plugin_dirs({"plugins"}, {TEST_PLUGIN_DIR_C}),
                                      dir.path(), kOnlyPluginDirs);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("cgreet 0.3.0  " + std::string(TEST_PLUGIN_DIR_C)));
  EXPECT_THAT(list.out, HasSubstr("cgreet.hello"));
  EXPECT_THAT(list.out, HasSubstr("cgreet.refuse"));
  EXPECT_EQ(list.err, "");

  ProcessResult describe = run_flowweaver(
      with_plugin_dirs({"plugins", "--describe", "cgreet"}, {TEST_PLUGIN_DIR_C}), dir.path());
  ASSERT_EQ(describe.exit_code, 0) << describe.err;
  EXPECT_THAT(describe.out, HasSubstr("who (string, default \"world\"): Who is greeted"));

  dir.write("wf.yaml", R"(name: cwf
tasks:
  - name: greet
    uses: cgreet.hello
    with: {who: "C \"world\""}
  - name: greet_default
    uses: cgreet.hello
  - name: after
    uses: builtin.echo
    depends_on: [greet]
    with: {task: "${tasks.greet.output.task}", who: "${tasks.greet.output.with.who}"}
)");
  ProcessResult r =
      run_flowweaver(with_plugin_dirs({"run", "wf.yaml"}, {TEST_PLUGIN_DIR_C}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Json::parse(task_column(dir, "cwf", "result", "greet")),
            Json::parse(R"({"greeting": "hello from C", "task": "greet", "attempt": 1,
                            "with": {"who": "C \"world\""}})"));
  // The default declared in C (default_json) was filled in by the host.
  EXPECT_EQ(Json::parse(task_column(dir, "cwf", "result", "greet_default"))["with"],
            Json::parse(R"({"who": "world"})"));
  EXPECT_EQ(Json::parse(task_column(dir, "cwf", "result", "after")),
            Json::parse(R"({"task": "greet", "who": "C \"world\""})"));
}

TEST(PluginLoadingTest, ValidateChecksParametersDeclaredInC) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: cwf
tasks:
  - name: greet
    uses: cgreet.hello
    with: {who: 5, whom: x}
)");
  ProcessResult r =
      run_flowweaver(with_plugin_dirs({"validate", "wf.yaml"}, {TEST_PLUGIN_DIR_C}), dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("task 'greet': parameter 'who' must be string, not number"));
  EXPECT_THAT(r.err, HasSubstr("cgreet.hello has no parameter 'whom'"));
}

TEST(PluginLoadingTest, PermanentFailureFromCIsNotRetriedAndCarriesItsMessage) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: cfail
tasks:
  - name: refuse
    uses: cgreet.refuse
    retries: 3
    retry_delay: 10ms
  - name: independent
    uses: builtin.noop
)");
  ProcessResult r =
      run_flowweaver(with_plugin_dirs({"run", "wf.yaml"}, {TEST_PLUGIN_DIR_C}), dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(task_column(dir, "cfail", "status || ':' || attempt", "refuse"), "FAILED:1");
  EXPECT_EQ(task_column(dir, "cfail", "error", "refuse"),
            "cgreet.refuse always refuses (a permanent failure from C)");
  EXPECT_EQ(task_column(dir, "cfail", "status", "independent"), "COMPLETED");
}

TEST(PluginLoadingTest, DescribeBuiltinPrintsDeclaredParameters) {
  TempDir dir;
  ProcessResult r = run_flowweaver({"plugins", "--describe", "builtin"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("builtin 1.0.0 ("));
  EXPECT_THAT(r.out, HasSubstr("builtin.sleep: Sleeps for a duration"));
  EXPECT_THAT(r.out, HasSubstr("duration (duration, required): How long to sleep"));
  EXPECT_THAT(r.out, HasSubstr("times (integer, default 1000000): Attempts that fail"));
  EXPECT_THAT(r.out, HasSubstr("message (string, default \"deliberate failure\")"));
  EXPECT_THAT(r.out, HasSubstr("(accepts any other keys too)"));

  ProcessResult json = run_flowweaver({"plugins", "--describe", "builtin", "--json"}, dir.path());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json sleep = Json::parse(json.out)["task_types"][2];
  EXPECT_EQ(sleep["name"], "sleep");
  EXPECT_EQ(sleep["params"][0]["type"], "duration");
  EXPECT_EQ(sleep["params"][0]["required"], true);

  ProcessResult unknown = run_flowweaver({"plugins", "--describe", "bultin"}, dir.path());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no plugin 'bultin' (did you mean 'builtin'?)"));
}

TEST(PluginLoadingTest, SecondPluginOfTheSameNameIsIgnoredWithAWarning) {
  TempDir dir;
  fs::create_directories(dir.path() / "copies");
  fs::path copy = dir.path() / "copies" / "cgreet_copy.so";
  fs::copy_file(fs::path(TEST_PLUGIN_DIR_C) / "cgreet.so", copy);
  ProcessResult r = run_flowweaver(
      with_plugin_dirs({"plugins"}, {TEST_PLUGIN_DIR_C, (dir.path() / "copies").string()}),
      dir.path(), kOnlyPluginDirs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(std::string(TEST_PLUGIN_DIR_C) + "/cgreet.so"));
  EXPECT_THAT(r.err, HasSubstr("warning: plugin " + copy.string() +
                               ": plugin 'cgreet' is already loaded from " + TEST_PLUGIN_DIR_C +
                               "/cgreet.so; ignored"));
}

TEST(PluginLoadingTest, APluginOthersCanWriteIsRefusedUnlessAllowed) {
  TempDir dir;
  fs::path open_dir = dir.path() / "open";
  fs::create_directories(open_dir);
  fs::path plugin = open_dir / "cgreet.so";
  fs::copy_file(fs::path(TEST_PLUGIN_DIR_C) / "cgreet.so", plugin);
  fs::permissions(plugin, fs::perms::others_write, fs::perm_options::add);
  ProcessResult refused = run_flowweaver(with_plugin_dirs({"plugins"}, {open_dir.string()}),
                                         dir.path(), kOnlyPluginDirs);
  EXPECT_THAT(refused.out, Not(HasSubstr("cgreet 0.3.0")));
  EXPECT_THAT(refused.err,
              HasSubstr("refused: plugin file " + plugin.string() + " is writable by others"));
  EXPECT_THAT(refused.err, HasSubstr("fix: chmod go-w " + plugin.string()));
  dir.write("wf.yaml", "name: wf\ntasks:\n  - {name: a, uses: cgreet.hello}\n");
  ProcessResult run = run_flowweaver(with_plugin_dirs({"run", "wf.yaml"}, {open_dir.string()}),
                                     dir.path(), kOnlyPluginDirs);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("unknown plugin 'cgreet'"));

  ProcessResult allowed =
      run_flowweaver(with_plugin_dirs({"plugins", "--allow-insecure-plugins"}, {open_dir.string()}),
                     dir.path(), kOnlyPluginDirs);
  EXPECT_THAT(allowed.out, HasSubstr("cgreet 0.3.0  " + plugin.string()));
  fs::permissions(plugin, fs::perms::others_write, fs::perm_options::remove);
  fs::permissions(open_dir, fs::perms::group_write, fs::perm_options::add);
  ProcessResult dir_refused = run_flowweaver(with_plugin_dirs({"plugins"}, {open_dir.string()}),
                                             dir.path(), kOnlyPluginDirs);
  EXPECT_THAT(dir_refused.err,
              HasSubstr("plugin directory " + open_dir.string() + " is writable by its group"));
}

TEST(PluginLoadingTest, PluginsShowsTheSha256OfEachFileLoaded) {
  TempDir dir;
  ProcessResult r = run_flowweaver(with_plugin_dirs({"plugins", "--json"}, {TEST_PLUGIN_DIR_C}),
                                   dir.path(), kOnlyPluginDirs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected;
  Json listed = Json::parse(r.out);
  for (const Json& p : listed["plugins"]) {
    if (p["name"] == "cgreet") expected = p["sha256"].get<std::string>();
  }
  // The digest as coreutils computes it.
  std::string command = "sha256sum " + std::string(TEST_PLUGIN_DIR_C) + "/cgreet.so";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char digest[65] = {};
  ASSERT_EQ(std::fread(digest, 1, 64, pipe), 64u);
  ::pclose(pipe);
  EXPECT_EQ(std::string(digest), expected);
  ProcessResult text = run_flowweaver(with_plugin_dirs({"plugins"}, {TEST_PLUGIN_DIR_C}),
                                      dir.path(), kOnlyPluginDirs);
  EXPECT_THAT(text.out, HasSubstr("sha256 " + expected));
}

// A file in a plugin directory that must be refused, and why.
struct BrokenFile {
  std::string name;                              // also the plugin name a manifest would use for it
  std::string reason;                            // what the host must say about it
  std::function<fs::path(const TempDir&)> make;  // returns the file's path
};

std::ostream& operator<<(std::ostream& out, const BrokenFile& f) { return out << f.name; }

class BrokenPluginFileTest : public ::testing::TestWithParam<BrokenFile> {};

TEST_P(BrokenPluginFileTest, IsReportedWithFileAndReasonAndRefusedByValidate) {
  TempDir dir;
  const BrokenFile& broken = GetParam();
  fs::path file = broken.make(dir);
  ASSERT_TRUE(fs::is_regular_file(file)) << file;
  std::string plugin_dir = file.parent_path().string();

  ProcessResult list =
      run_flowweaver(with_plugin_dirs({"plugins"}, {plugin_dir}), dir.path(), kOnlyPluginDirs);
  // Above 128 the host died of a signal while loading the file (135: SIGBUS).
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.err, HasSubstr("warning: plugin " + file.string() + ": " + broken.reason));
  EXPECT_THAT(list.out, HasSubstr("builtin 1.0.0"));  // the good plugins still load

  ProcessResult json = run_flowweaver(with_plugin_dirs({"plugins", "--json"}, {plugin_dir}),
                                      dir.path(), kOnlyPluginDirs);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json report = Json::parse(json.out);
  ASSERT_EQ(report["failures"].size(), 1u) << report.dump(2);
  EXPECT_EQ(report["failures"][0]["file"], file.string());
  EXPECT_THAT(report["failures"][0]["error"].get<std::string>(), HasSubstr(broken.reason));
  for (const Json& plugin : report["plugins"]) EXPECT_NE(plugin["file"], file.string());

  dir.write("wf.yaml", "name: wf\ntasks:\n  - {name: a, uses: " + broken.name + ".run}\n");
  ProcessResult validate = run_flowweaver(with_plugin_dirs({"validate", "wf.yaml"}, {plugin_dir}),
                                          dir.path(), kOnlyPluginDirs);
  EXPECT_EQ(validate.exit_code, 2);
  EXPECT_THAT(validate.err, HasSubstr("unknown plugin '" + broken.name + "'"));
  EXPECT_THAT(validate.err,
              HasSubstr("(1 plugin file(s) failed to load: `flowweaver plugins` shows why)"));
  EXPECT_THAT(validate.out, Not(HasSubstr("ok")));
}

fs::path built(const char* dir, const std::string& name) { return fs::path(dir) / name; }

INSTANTIATE_TEST_SUITE_P(
    PluginLoading, BrokenPluginFileTest,
    ::testing::Values(
        BrokenFile{"wrong_abi",
                   "built for plugin ABI version 999, but this host speaks version 1; rebuild it "
                   "against this host's SDK",
                   [](const TempDir&) { return built(TEST_PLUGIN_DIR_WRONG_ABI, "wrong_abi.so"); }},
        BrokenFile{"no_entry",
                   "has no 'flowweaver_plugin_entry' symbol, so it is not a FlowWeaver plugin",
                   [](const TempDir&) { return built(TEST_PLUGIN_DIR_NO_ENTRY, "no_entry.so"); }},
        BrokenFile{"throwing_registration", "the entry function returned no descriptor",
                   [](const TempDir&) {
                     return built(TEST_PLUGIN_DIR_THROWING_REGISTRATION,
                                  "throwing_registration.so");
                   }},
        BrokenFile{"bogus", "cannot be loaded as a shared library",
                   [](const TempDir& dir) {
                     return fs::path(dir.write("plugins/bogus.so", "garbage, not an ELF file\n"));
                   }},
        BrokenFile{"truncated", "cannot be loaded as a shared library",
                   [](const TempDir& dir) {
                     std::string whole = read_file(fs::path(FLOWWEAVER_PLUGIN_DIR) / "builtin.so");
                     return fs::path(dir.write("plugins/truncated.so", whole.substr(0, 1000)));
                   }}),
    [](const ::testing::TestParamInfo<BrokenFile>& info) { return info.param.name; });

// A misbehaving task type, what its task's error must say, and how many attempts it gets when
// the task allows one retry (1: a permanent failure; 2: a retryable one).
struct Misbehaviour {
  std::string name;
  std::string uses;
  std::string error;
  int attempts;
  std::string with = "{}";  // the task's `with:`
};

std::ostream& operator<<(std::ostream& out, const Misbehaviour& m) { return out << m.name; }

class MisbehavingPluginTest : public ::testing::TestWithParam<Misbehaviour> {};

TEST_P(MisbehavingPluginTest, FailsItsTaskWhileTheHostRunsTheOthers) {
  TempDir dir;
  const Misbehaviour& m = GetParam();
  dir.write("wf.yaml",
            "name: wf\ntasks:\n"
            "  - {name: bad, uses: " +
                m.uses + ", with: " + m.with +
                ", retries: 1, retry_delay: 10ms}\n"
                "  - {name: gate, uses: builtin.sleep, with: {duration: 200ms}}\n"
                "  - {name: later, uses: builtin.echo, depends_on: [gate], with: {ok: "
                "true}}\n");
  ProcessResult r =
      run_flowweaver(with_plugin_dirs({"run", "wf.yaml"},
                                      {TEST_PLUGIN_DIR_MISBEHAVING, TEST_PLUGIN_DIR_BAD_OUTPUT}),
                     dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 completed, 1 failed"));
  EXPECT_EQ(task_column(dir, "wf", "status || ':' || attempt", "bad"),
            "FAILED:" + std::to_string(m.attempts));
  EXPECT_EQ(task_column(dir, "wf", "error", "bad"), m.error);
  EXPECT_EQ(task_column(dir, "wf", "status", "later"), "COMPLETED");
  EXPECT_EQ(task_column(dir, "wf", "result", "later"), R"({"ok":true})");
}

INSTANTIATE_TEST_SUITE_P(
    PluginLoading, MisbehavingPluginTest,
    ::testing::Values(
        Misbehaviour{"throw_int", "misbehaving.throw_int",
                     "task threw an exception not derived from std::exception", 2},
        Misbehaviour{"missing_param", "misbehaving.missing_param",
                     "task 'bad': missing parameter 'missing' (add it under `with:`)", 1},
        Misbehaviour{"not_upstream", "misbehaving.not_upstream",
                     "task 'bad': 'not_upstream' is not an upstream task (add it to depends_on)",
                     1},
        Misbehaviour{"invalid_json", "bad_output.invalid_json",
                     "plugin 'bad_output' (task type 'bad_output.invalid_json') returned output "
                     "that is not valid JSON: [json.exception.parse_error.101] parse error at "
                     "line 1, column 3: syntax error while parsing object key - invalid literal; "
                     "last read: '{no'; expected string literal; this is a bug in the plugin, "
                     "not retried",
                     1},
        Misbehaviour{"nan_token", "bad_output.nan_token",
                     "plugin 'bad_output' (task type 'bad_output.nan_token') returned output "
                     "that is not valid JSON: [json.exception.parse_error.101] parse error at "
                     "line 1, column 20: syntax error while parsing value - invalid literal; "
                     "last read: '\"mean\": N'; this is a bug in the plugin, not retried",
                     1},
        Misbehaviour{"latin1", "bad_output.latin1",
                     "plugin 'bad_output' (task type 'bad_output.latin1') returned output that "
                     "is not valid UTF-8 (byte 0xE9 at offset 13); this is a bug in the plugin, "
                     "not retried",
                     1},
        Misbehaviour{"nan_output", "misbehaving.nan_output",
                     "task 'bad' (task type 'misbehaving.nan_output'): output field "
                     "\"stats.mean\" is NaN, which JSON cannot hold; this is a bug in the "
                     "plugin, not retried",
                     1},
        Misbehaviour{"infinite_output", "misbehaving.infinite_output",
                     "task 'bad' (task type 'misbehaving.infinite_output'): output field "
                     "\"values.1\" is -Infinity, which JSON cannot hold; this is a bug in the "
                     "plugin, not retried",
                     1},
        Misbehaviour{"latin1_output", "misbehaving.latin1_output",
                     "task 'bad' (task type 'misbehaving.latin1_output'): output is not valid "
                     "UTF-8 ([json.exception.type_error.316] incomplete UTF-8 string; last byte: "
                     "0xE9); this is a bug in the plugin, not retried",
                     1},
        Misbehaviour{"typed_param_string", "misbehaving.typed_param",
                     "task 'bad' (task type 'misbehaving.typed_param'): parameter 'n' must be "
                     "an integer from -2147483648 to 2147483647, but is \"three\" (string)",
                     1, "{n: three}"},
        Misbehaviour{"typed_param_fraction", "misbehaving.typed_param",
                     "task 'bad' (task type 'misbehaving.typed_param'): parameter 'n' must be "
                     "an integer from -2147483648 to 2147483647, but is 2.5 (number)",
                     1, "{n: 2.5}"},
        Misbehaviour{"typed_param_or", "misbehaving.typed_param",
                     "task 'bad' (task type 'misbehaving.typed_param'): parameter 'm' must be "
                     "an integer from -2147483648 to 2147483647, but is true (boolean)",
                     1, "{n: 1, m: true}"},
        // A long value is cut short between characters, never inside one.
        Misbehaviour{"typed_param_long_text", "misbehaving.typed_param",
                     "task 'bad' (task type 'misbehaving.typed_param'): parameter 'n' must be "
                     "an integer from -2147483648 to 2147483647, but is "
                     "\"aééééééééééééééééééééééééééé... (string)",
                     1, "{n: aéééééééééééééééééééééééééééééééééééééééé}"},
        Misbehaviour{"odd_outcome", "bad_output.odd_outcome",
                     "plugin returned an unknown outcome 3", 1}),
    [](const ::testing::TestParamInfo<Misbehaviour>& info) { return info.param.name; });

// What the task process of `isolation: process` makes of the same output and parameters as
// the host does in-process: the child checks the output before it sends it on, so each of
// these fails once despite `retries`, naming plugin, task type and field in either mode.
TEST(PluginLoadingTest, BadOutputAndParamsFailOnceInProcessAndInATaskProcess) {
  for (std::string isolation : {"in-process", "process"}) {
    SCOPED_TRACE(isolation);
    TempDir dir;
    dir.write("wf.yaml", "name: wf\ndefaults:\n  isolation: " + isolation + R"(
  retries: 2
  retry_delay: 10ms
tasks:
  - {name: text, uses: bad_output.invalid_json}
  - {name: token, uses: bad_output.nan_token}
  - {name: latin1, uses: bad_output.latin1}
  - {name: nan, uses: misbehaving.nan_output}
  - {name: typed, uses: misbehaving.typed_param, with: {n: three}}
  - {name: fine, uses: misbehaving.typed_param, with: {n: 3}}
)");
    ProcessResult r =
        run_flowweaver(with_plugin_dirs({"run", "wf.yaml"},
                                        {TEST_PLUGIN_DIR_MISBEHAVING, TEST_PLUGIN_DIR_BAD_OUTPUT}),
                       dir.path());
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    for (const char* task : {"text", "token", "latin1", "nan", "typed"}) {
      EXPECT_EQ(task_column(dir, "wf", "status || ':' || attempt", task), "FAILED:1") << task;
    }
    auto error_of = [&](const char* task) { return task_column(dir, "wf", "error", task); };
    EXPECT_THAT(error_of("text"), HasSubstr("plugin 'bad_output' (task type "
                                            "'bad_output.invalid_json') returned output that is "
                                            "not valid JSON: "));
    EXPECT_THAT(error_of("token"), HasSubstr("(task type 'bad_output.nan_token') returned output "
                                             "that is not valid JSON: "));
    EXPECT_THAT(error_of("latin1"), HasSubstr("(task type 'bad_output.latin1') returned output "
                                              "that is not valid UTF-8 (byte 0xE9 at offset 13)"));
    EXPECT_THAT(error_of("nan"), HasSubstr("(task type 'misbehaving.nan_output'): output field "
                                           "\"stats.mean\" is NaN"));
    EXPECT_THAT(error_of("typed"), HasSubstr("(task type 'misbehaving.typed_param'): parameter "
                                             "'n' must be an integer"));
    EXPECT_EQ(task_column(dir, "wf", "status", "fine"), "COMPLETED");
    EXPECT_EQ(task_column(dir, "wf", "result", "fine"),
              R"({"m":7,"n":3,"untyped":3,"untyped_or":5})");
  }
}

TEST(PluginLoadingTest, SuccessWithoutOutputStoresNull) {
  TempDir dir;
  dir.write("wf.yaml", "name: wf\ntasks:\n  - {name: quiet, uses: bad_output.no_output}\n");
  ProcessResult r = run_flowweaver(
      with_plugin_dirs({"run", "wf.yaml"}, {TEST_PLUGIN_DIR_BAD_OUTPUT}), dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(task_column(dir, "wf", "result", "quiet"), "null");
}

}  // namespace
}  // namespace flowweaver::testing
