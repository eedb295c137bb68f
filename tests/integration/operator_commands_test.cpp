// The operating guide's runbooks as commands: backup, check, and status/history over a
// directory of state files, end to end with the real binary.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// Every file in `dir` (recursively) with its size and modification time: what a read-only
// command must leave exactly as it was.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string name = fs::relative(e.path(), dir).string();
    if (name.rfind(".std", 0) == 0) continue;  // the test harness's captured output
    files[name] = std::to_string(e.file_size()) + "@" +
                  std::to_string(e.last_write_time().time_since_epoch().count()) + "#" +
                  std::to_string(std::hash<std::string>{}(read_file(e.path())));
  }
  return files;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

constexpr const char* kSmall = R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.noop, depends_on: [a]}
)";

// Independent sleeping tasks: a run that commits state for a few seconds.
std::string fan_out(int num_tasks, const std::string& duration) {
  std::string yaml = "name: wf\ntasks:\n";
  for (int i = 0; i < num_tasks; ++i) {
    yaml += "  - {name: t" + std::to_string(i) +
            ", uses: builtin.sleep, with: {duration: " + duration + "}}\n";
  }
  return yaml;
}

bool count_at_least(const std::string& db, const std::string& sql, int n) {
  try {
    return std::stoi(query_one(db, sql)) >= n;
  } catch (const std::exception&) {
    return false;  // no file or table yet
  }
}

TEST(OperatorCommandsTest, BackupWhileARunWritesIsConsistentAndRestoresToAResumableRun) {
  TempDir dir;
  dir.write("wf.yaml", fan_out(240, "40ms"));
  fs::create_directories(dir.path() / "backups");
  std::string db = (dir.path() / "var/wf.db").string();
  FlowWeaverProcess run({"run", "wf.yaml", "--max-workers", "4"}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    return count_at_least(db, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'", 20);
  }));

  ProcessResult backup =
      run_flowweaver({"backup", "--state", "var/wf.db", "backups/wf.db.1"}, dir.path());
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_THAT(backup.out, ContainsRegex("Backed up var/wf.db to backups/wf.db.1: 1 run\\(s\\), "
                                        "[0-9]+ bytes \\(SQLite online backup, integrity ok\\)"));
  EXPECT_EQ(names_in(dir.path() / "backups"), (std::vector<std::string>{"wf.db.1"}));

  // The copy is one consistent snapshot taken mid-run: sound, with the run still RUNNING.
  ProcessResult check =
      run_flowweaver({"check", "--state", "backups/wf.db.1", "--json"}, dir.path());
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;  // the run it holds is unfinished
  nlohmann::json report = nlohmann::json::parse(check.out);
  EXPECT_EQ(report["integrity"], nlohmann::json::array({"ok"}));
  EXPECT_EQ(report["schema_version"], 6);
  EXPECT_EQ(report["running_runs"].size(), 1u);
  EXPECT_EQ(report["running_runs"][0]["workflow"], "wf");
  std::string copy = (dir.path() / "backups/wf.db.1").string();
  EXPECT_EQ(query_one(copy, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(query_one(copy, "SELECT count(*) FROM tasks"), "240");
  EXPECT_EQ(query_one(copy, "SELECT status FROM runs"), "RUNNING");
  int completed_in_copy =
      std::stoi(query_one(copy, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"));
  EXPECT_GE(completed_in_copy, 20);
  EXPECT_LT(completed_in_copy, 240);
  EXPECT_EQ(query_one(copy, "SELECT count(*) FROM attempts WHERE status = 'COMPLETED'"),
            std::to_string(completed_in_copy));

  // The backup did not disturb the run.
  ProcessResult finished = run.wait();
  EXPECT_EQ(finished.exit_code, 0) << finished.err;

  // Restore (README, "Operating"): with nothing running, drop the WAL files and copy it back.
  fs::remove(db + "-wal");
  fs::remove(db + "-shm");
  fs::copy_file(copy, db, fs::copy_options::overwrite_existing);
  ProcessResult resumed = run_flowweaver({"run", "wf.yaml", "--max-workers", "8"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("resuming run"));
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"), "240");
  // Each task completed exactly once in the restored history: none done before the backup ran
  // again.
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM attempts WHERE status = 'COMPLETED'"), "240");
}

TEST(OperatorCommandsTest, BackupReplacesDestAtomicallyAndCopiesJsonStates) {
  TempDir dir;
  dir.write("wf.yaml", kSmall);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  dir.write("old-backup.db", "previous backup");
  ProcessResult again =
      run_flowweaver({"backup", "--state", "var/wf.db", "old-backup.db"}, dir.path());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(query_one((dir.path() / "old-backup.db").string(), "SELECT count(*) FROM tasks"), "2");

  ASSERT_EQ(run_flowweaver({"run", "wf.yaml", "--state", "state.json"}, dir.path()).exit_code, 0);
  ProcessResult json = run_flowweaver({"backup", "--state", "state.json", "copy.json"}, dir.path());
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr("1 run(s)"));
  EXPECT_EQ(read_file(dir.path() / "copy.json"), read_file(dir.path() / "state.json"));
  ProcessResult check = run_flowweaver({"check", "--state", "copy.json"}, dir.path());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("All well."));
}

TEST(OperatorCommandsTest, BackupRefusesEveryUnusableSourceOrDestinationAndLeavesNoTrace) {
  TempDir dir;
  dir.write("wf.yaml", kSmall);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  dir.write("garbage.db", std::string(4096, 'x'));
  {
    SQLite::Database foreign((dir.path() / "foreign.db").string(),
                             SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    foreign.exec("CREATE TABLE notes (text TEXT)");
  }
  dir.write("file", "not a directory");
  dir.write("dest.db", "an older backup");
  dir.write("busy.db", "x");
  dir.write("busy.db-wal", "x");
  fs::create_directories(dir.path() / "out");
  auto before = snapshot(dir.path());

  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string message;
  };
  std::vector<Case> cases = {
      {{"--state", "var/nope.db", "dest.db"}, 3, "no state at var/nope.db"},
      {{"--state", "garbage.db", "dest.db"}, 3, "garbage.db is not a FlowWeaver state database"},
      {{"--state", "foreign.db", "dest.db"}, 3, "foreign.db is not a FlowWeaver state"},
      {{"--state", "wf.yaml", "dest.db"}, 3, "wf.yaml is not a FlowWeaver state"},
      {{"--state", "var/wf.db", "var/wf.db"}, 2, "var/wf.db is the state file itself"},
      {{"--state", "var/wf.db", "out/../var/wf.db"}, 2, "is the state file itself"},
      {{"--state", "var/wf.db", "out"}, 2, "out is a directory; give the backup's file name"},
      {{"--state", "var/wf.db", "missing/dest.db"},
       3,
       "the backup's directory missing does not exist"},
      {{"--state", "var/wf.db", "file/dest.db"},
       3,
       "the backup's directory file is not a "
       "directory"},
      {{"--state", "var/wf.db", "busy.db"}, 3, "busy.db-wal exists"},
  };
  if (::geteuid() != 0) {  // root writes into a read-only directory anyway
    fs::create_directories(dir.path() / "locked");
    fs::permissions(dir.path() / "locked", fs::perms::owner_read | fs::perms::owner_exec);
    cases.push_back({{"--state", "var/wf.db", "locked/dest.db"}, 3, "cannot write in"});
    before = snapshot(dir.path());
  }
  for (const Case& c : cases) {
    std::vector<std::string> args = {"backup"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    ProcessResult r = run_flowweaver(args, dir.path());
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[1] << " " << c.args[2] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message));
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(snapshot(dir.path()), before);  // sources, old backups: untouched; no temp files
  EXPECT_EQ(run_flowweaver({"backup", "--state", "var/wf.db"}, dir.path()).exit_code, 2);
}

TEST(OperatorCommandsTest, CheckOfAGoodStateExitsZeroAndChangesNothing) {
  TempDir dir;
  dir.write("wf.yaml", kSmall);
  // Task logs elsewhere: var/ then holds the state alone.
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml", "--log-dir", "log"}, dir.path()).exit_code, 0);
  auto before = snapshot(dir.path() / "var");
  ASSERT_EQ(before.size(), 2u);  // the state at rest (no -wal, no -shm) and its writer lock file
  ProcessResult r = run_flowweaver({"check", "--state", "var/wf.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, ContainsRegex("integrity: +ok"));
  EXPECT_THAT(r.out, ContainsRegex("schema version: +6 \\(this flowweaver supports 6\\)"));
  EXPECT_THAT(r.out, ContainsRegex("tables: +runs, tasks, attempts"));
  EXPECT_THAT(r.out, ContainsRegex("runs: +1, 0 left RUNNING"));
  EXPECT_THAT(r.out, HasSubstr("All well."));
  ProcessResult json = run_flowweaver({"check", "--state", "var/wf.db", "--json"}, dir.path());
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out)["ok"], true);
  EXPECT_EQ(snapshot(dir.path() / "var"), before);
}

TEST(OperatorCommandsTest, CheckListsARunLeftRunningByKillNine) {
  TempDir dir;
  std::string yaml = "name: wf\ntasks:\n";
  for (int i = 0; i < 30; ++i) {
    yaml += "  - {name: t" + std::to_string(i) + ", uses: builtin.sleep, with: {duration: 50ms}" +
            (i > 0 ? ", depends_on: [t" + std::to_string(i - 1) + "]" : std::string()) + "}\n";
  }
  dir.write("wf.yaml", yaml);
  std::string db = (dir.path() / "var/wf.db").string();
  FlowWeaverProcess p({"run", "wf.yaml"}, dir.path());
  ASSERT_TRUE(wait_until([&] {
    return count_at_least(db, "SELECT count(*) FROM tasks WHERE status='COMPLETED'", 2);
  }));
  p.signal(SIGKILL);
  ASSERT_EQ(p.wait().exit_code, 128 + SIGKILL);
  std::string run_id = query_one(db, "SELECT run_id FROM runs");
  std::string started = query_one(db, "SELECT started_at FROM runs");
  auto before = snapshot(dir.path() / "var");

  ProcessResult r = run_flowweaver({"check", "--state", "var/wf.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("Runs left RUNNING"));
  EXPECT_THAT(r.out, ContainsRegex("wf +" + run_id + " +" + started));
  EXPECT_THAT(r.out, HasSubstr("`flowweaver run <manifest>` resumes them"));
  EXPECT_THAT(r.out, HasSubstr("1 run(s) left RUNNING"));
  nlohmann::json report = nlohmann::json::parse(
      run_flowweaver({"check", "--state", "var/wf.db", "--json"}, dir.path()).out);
  EXPECT_EQ(report["ok"], false);
  EXPECT_EQ(report["running_runs"][0]["run_id"], run_id);
  EXPECT_EQ(report["running_runs"][0]["started_at"], started);
  EXPECT_EQ(snapshot(dir.path() / "var")["wf.db"], before["wf.db"]);  // bytes and mtime
}

TEST(OperatorCommandsTest, CheckOfGarbageExitsThreeAndOfDamagedPagesExitsOne) {
  TempDir dir;
  std::string junk(8192, 'x');
  dir.write("garbage.db", junk);
  ProcessResult r = run_flowweaver({"check", "--state", "garbage.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("garbage.db cannot be read as a SQLite database (file is not a "
                               "database); if it is a FlowWeaver state, restore it from a backup"));
  EXPECT_EQ(read_file(dir.path() / "garbage.db"), junk);

  // A state whose pages after the schema were overwritten.
  dir.write("wf.yaml", kSmall);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  fs::path db = dir.path() / "var/wf.db";
  std::string bytes = read_file(db);
  ASSERT_GT(bytes.size(), 8192u);
  std::fill(bytes.begin() + 8192, bytes.end(), '\xab');
  dir.write("var/wf.db", bytes);
  ProcessResult damaged = run_flowweaver({"check", "--state", "var/wf.db"}, dir.path());
  EXPECT_EQ(damaged.exit_code, 1) << damaged.err;
  EXPECT_THAT(damaged.out, ContainsRegex("integrity: +FAILED"));
  EXPECT_THAT(damaged.out, HasSubstr("restore the state from a backup"));
  EXPECT_EQ(read_file(db), bytes);

  ProcessResult missing = run_flowweaver({"check", "--state", "var/none.db"}, dir.path());
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("no state at var/none.db"));
  EXPECT_FALSE(fs::exists(dir.path() / "var/none.db"));
  {
    SQLite::Database foreign((dir.path() / "foreign.db").string(),
                             SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    foreign.exec("CREATE TABLE notes (text TEXT)");
  }
  ProcessResult other = run_flowweaver({"check", "--state", "foreign.db"}, dir.path());
  EXPECT_EQ(other.exit_code, 3);
  EXPECT_THAT(other.err, HasSubstr("foreign.db is a SQLite database but not a FlowWeaver state"));
}

TEST(OperatorCommandsTest, CheckOfANewerSchemaVersionNeedsAttention) {
  TempDir dir;
  dir.write("wf.yaml", kSmall);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  {
    SQLite::Database db((dir.path() / "var/wf.db").string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 99");
  }
  ProcessResult r = run_flowweaver({"check", "--state", "var/wf.db"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("schema version 99 is newer than this flowweaver supports (6)"));
  EXPECT_THAT(r.out, ContainsRegex("integrity: +ok"));
  ProcessResult status = run_flowweaver({"status", "--state", "var/wf.db"}, dir.path());
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_THAT(status.err, HasSubstr("newer than this flowweaver understands"));
}

TEST(OperatorCommandsTest, StatusAndHistoryReadAStateDirectoryWithoutWritingToIt) {
  TempDir dir;
  dir.write("alpha.yaml",
            "name: alpha\ntasks:\n  - {name: a, uses: builtin.noop}\n"
            "  - {name: b, uses: builtin.echo, with: {v: 1}, depends_on: [a]}\n");
  dir.write("beta.yaml", R"(name: beta
tasks:
  - {name: x, uses: builtin.noop}
  - {name: y, uses: builtin.fail, with: {times: 1}}
  - {name: z, uses: builtin.noop, depends_on: [y]}
)");
  fs::create_directories(dir.path() / "lib");
  ASSERT_EQ(run_flowweaver({"run", "alpha.yaml", "--state", "lib/alpha.db"}, dir.path()).exit_code,
            0);
  ASSERT_EQ(run_flowweaver({"run", "alpha.yaml", "--state", "lib/alpha.db"}, dir.path()).exit_code,
            0);
  ASSERT_EQ(run_flowweaver({"run", "beta.yaml", "--state", "lib/beta.db"}, dir.path()).exit_code,
            1);
  // (Not through query_column: its read-only connection leaves -wal and -shm files behind.)
  std::string beta_run = nlohmann::json::parse(
      run_flowweaver({"history", "--state", "lib/beta.db", "--json"}, dir.path()).out)[0]["run_id"];
  auto before = snapshot(dir.path() / "lib");
  ASSERT_EQ(before.size(), 4u);  // alpha.db, beta.db and their writer lock files

  ProcessResult history = run_flowweaver({"history", "--state", "lib"}, dir.path());
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, ContainsRegex("^RUN +WORKFLOW +STATUS"));
  EXPECT_THAT(history.out, ContainsRegex("\n" + beta_run +
                                         " +beta +FAILED[^\n]*\n[0-9a-fT-]+ +alpha "
                                         "+COMPLETED[^\n]*\n[0-9a-fT-]+ +alpha +COMPLETED"));
  nlohmann::json runs = nlohmann::json::parse(
      run_flowweaver({"history", "--state", "lib", "--json"}, dir.path()).out);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0]["workflow"], "beta");
  EXPECT_EQ(runs[0]["state"], "lib/beta.db");
  ProcessResult limited = run_flowweaver(
      {"history", "--state", "lib", "--workflow", "alpha", "--limit", "1"}, dir.path());
  EXPECT_EQ(std::count(limited.out.begin(), limited.out.end(), '\n'), 2);  // header + 1 run

  ProcessResult status = run_flowweaver({"status", "--state", "lib"}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, ContainsRegex("WORKFLOW +RUN +STATUS +STARTED +TASKS"));
  EXPECT_THAT(status.out, ContainsRegex("alpha +[0-9a-fT-]+ +COMPLETED +[^ ]+ +2 COMPLETED\n"));
  EXPECT_THAT(status.out, ContainsRegex("beta +" + beta_run +
                                        " +FAILED +[^ ]+ +1 COMPLETED, 1 FAILED, 1 "
                                        "SKIPPED\n"));
  nlohmann::json latest =
      nlohmann::json::parse(run_flowweaver({"status", "--state", "lib", "--json"}, dir.path()).out);
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest[1]["tasks"]["FAILED"], 1);

  ProcessResult one_workflow =
      run_flowweaver({"status", "--state", "lib", "--workflow", "beta"}, dir.path());
  EXPECT_EQ(one_workflow.exit_code, 0) << one_workflow.err;
  EXPECT_THAT(one_workflow.out, HasSubstr("Run " + beta_run + " of beta: FAILED"));
  EXPECT_THAT(one_workflow.out, ContainsRegex("z +SKIPPED +0"));
  ProcessResult by_manifest = run_flowweaver({"status", "beta.yaml", "--state", "lib"}, dir.path());
  EXPECT_EQ(by_manifest.out, one_workflow.out);
  ProcessResult by_run =
      run_flowweaver({"status", "--state", "lib", "--run", beta_run}, dir.path());
  EXPECT_EQ(by_run.out, one_workflow.out);
  ProcessResult unknown =
      run_flowweaver({"status", "--state", "lib", "--workflow", "gamma"}, dir.path());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("no state at lib/gamma.db"));

  EXPECT_EQ(snapshot(dir.path() / "lib"), before);  // nothing created, nothing changed

  // An unreadable file is reported and skipped; the others are still shown.
  dir.write("lib/broken.db", std::string(4096, 'x'));
  ProcessResult partial = run_flowweaver({"status", "--state", "lib"}, dir.path());
  EXPECT_EQ(partial.exit_code, 3);
  EXPECT_THAT(partial.err, HasSubstr("warning: skipping lib/broken.db"));
  EXPECT_THAT(partial.out, HasSubstr("beta"));
  fs::create_directories(dir.path() / "empty");
  ProcessResult empty = run_flowweaver({"history", "--state", "empty"}, dir.path());
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("no state files (*.db) in empty"));
}

TEST(OperatorCommandsTest, ReadOnlyCommandsLeaveAStateAtRestAsItWas) {
  TempDir dir;
  dir.write("wf.yaml", kSmall);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 0);
  auto before = snapshot(dir.path() / "var");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"status", "wf.yaml"}, {"history", "wf.yaml"}, {"plan", "wf.yaml"}}) {
    ProcessResult r = run_flowweaver(args, dir.path());
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  }
  EXPECT_EQ(snapshot(dir.path() / "var"), before);
  // reset still writes.
  EXPECT_EQ(run_flowweaver({"reset", "wf.yaml", "b"}, dir.path()).exit_code, 0);
  EXPECT_EQ(query_one((dir.path() / "var/wf.db").string(),
                      "SELECT status FROM tasks WHERE task_name='b'"),
            "PENDING");
}

}  // namespace
}  // namespace flowweaver::testing
