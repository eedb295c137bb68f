// Bad inputs and hostile surroundings that no other test covered: huge manifests, a disk that
// fills up, a file-size limit, a read-only state directory, a state with damaged pages.
// docs/bad-input.md lists every bad input, what the user sees, and the test that proves it.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AnyOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

// --- Huge manifests ----------------------------------------------------------------------------

constexpr int kHugeNumTasks = 100000;

// Each task depends on the one before it (the first on the last when `cycle`): the deepest
// graph there is, which a recursive graph walk would overflow the stack on.
std::string huge_chain(const std::string& name, bool cycle) {
  std::string yaml = "name: " + name + "\ntasks:\n";
  yaml.reserve(size_t{kHugeNumTasks} * 64);
  for (int i = 0; i < kHugeNumTasks; ++i) {
    int upstream = i > 0 ? i - 1 : cycle ? kHugeNumTasks - 1 : -1;
    yaml += "  - {name: t" + std::to_string(i) +
            ", uses: builtin.echo, with: {i: " + std::to_string(i) + "}" +
            (upstream < 0 ? "" : ", depends_on: [t" + std::to_string(upstream) + "]") + "}\n";
  }
  return yaml;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Generous bounds: validating takes about 5 s and 120 MiB on a loaded 2-core machine.
// Sanitizers multiply both, so under them only time is bounded, and loosely.
constexpr auto kHugeTimeLimit = std::chrono::seconds(kSanitized ? 480 : 60);
constexpr long kHugeMemoryLimitKib = 512 * 1024;

// The largest resident size of any child reaped so far (an upper bound for the last one).
long largest_child_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss;
}

// The YAML parser used before libyaml read the rest of this file into `msg` and validated one
// task; it must be refused at the opening quote.
TEST(BadInputTest, AnUnterminatedQuoteIsRefusedAtTheQuote) {
  TempDir dir;
  dir.write("p1.yaml",
            "name: p1\ntasks:\n  - name: a\n    uses: builtin.echo\n    with:\n"
            "      msg: \"hello\n  - name: b\n    uses: builtin.noop\n");
  ProcessResult r = run_flowweaver({"validate", "p1.yaml"}, dir.path());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("p1.yaml:6:12: invalid YAML: unterminated double-quoted string: "
                               "close the quote"));
  EXPECT_THAT(r.out, Not(HasSubstr("ok")));
}

TEST(BadInputTest, AHundredThousandTaskManifestValidatesInBoundedTimeAndMemory) {
  TempDir dir;
  dir.write("big.yaml", huge_chain("big", false));
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"validate", "big.yaml"}, dir.path());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_THAT(r.out, HasSubstr("ok (workflow 'big', 100000 tasks)"));
  EXPECT_LT(elapsed, kHugeTimeLimit);
  if (!kSanitized) {
    EXPECT_LT(largest_child_rss_kib(), kHugeMemoryLimitKib);
  }
}

TEST(BadInputTest, AHundredThousandTaskCycleIsReportedWholeInBoundedTime) {
  TempDir dir;
  dir.write("cycle.yaml", huge_chain("cycle", true));
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = run_flowweaver({"validate", "cycle.yaml"}, dir.path());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cycle.yaml:3:12: dependency cycle: t0 -> t1 -> t2 -> "));
  EXPECT_THAT(r.err, HasSubstr("-> t99998 -> t99999 -> t0\n1 problem(s) found."));
  EXPECT_LT(elapsed, kHugeTimeLimit);
  if (!kSanitized) {
    EXPECT_LT(largest_child_rss_kib(), kHugeMemoryLimitKib);
  }
}

// --- Running out of room -------------------------------------------------------------------------

constexpr int kFillNumTasks = 200;

// A chain of tasks with 4 KiB outputs: each commit adds a few pages to the WAL.
std::string filling_workflow() {
  std::string yaml = "name: fill\ntasks:\n";
  std::string pad(4000, 'x');
  for (int i = 0; i < kFillNumTasks; ++i) {
    yaml += "  - {name: t" + std::to_string(i) + ", uses: builtin.echo, with: {pad: " + pad +
            ", i: " + std::to_string(i) + "}" +
            (i > 0 ? ", depends_on: [t" + std::to_string(i - 1) + "]" : "") + "}\n";
  }
  return yaml;
}

// Task name -> finished_at of every COMPLETED task.
std::map<std::string, std::string> completed_tasks(const std::string& db) {
  std::map<std::string, std::string> done;
  for (const std::string& row : query_column(
           db, "SELECT task_name || '|' || finished_at FROM tasks WHERE status = 'COMPLETED'")) {
    done[row.substr(0, row.find('|'))] = row.substr(row.find('|') + 1);
  }
  return done;
}

// What a run stopped by a full disk must leave: a sound file holding the tasks committed so
// far, and a run that a later `run` with room to spare finishes without running them again.
void expect_committed_state_kept_and_resumable(const TempDir& dir,
                                               const std::vector<std::string>& run_args,
                                               const std::string& db) {
  EXPECT_EQ(query_one(db, "PRAGMA integrity_check"), "ok");
  std::map<std::string, std::string> before = completed_tasks(db);
  EXPECT_GT(before.size(), 0u) << "the limit should hit mid-run, not before the first commit";
  EXPECT_LT(before.size(), static_cast<size_t>(kFillNumTasks));

  ProcessResult resumed = run_flowweaver(run_args, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM runs"), "1");
  std::map<std::string, std::string> after = completed_tasks(db);
  EXPECT_EQ(after.size(), static_cast<size_t>(kFillNumTasks));
  for (const auto& [task, finished_at] : before) {
    EXPECT_EQ(after[task], finished_at) << task << " was run again";
  }
  EXPECT_EQ(query_one(db, "SELECT count(*) FROM attempts WHERE status = 'COMPLETED'"),
            std::to_string(kFillNumTasks));
}

// Moves this process into a mount namespace of its own, so the mounts a test makes are seen by
// it and its children only, and vanish with it. False where mounting is not allowed (not root,
// or a container without CAP_SYS_ADMIN); `why` then says so.
bool enter_private_mount_namespace(std::string* why) {
  if (::unshare(CLONE_NEWNS) != 0 ||
      ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    *why = std::string("cannot make a private mount namespace: ") + std::strerror(errno);
    return false;
  }
  return true;
}

// A mount made by a test, detached when the test ends (before its TempDir is removed).
class ScopedMount {
 public:
  explicit ScopedMount(fs::path target) : target_(std::move(target)) {}
  ~ScopedMount() { ::umount2(target_.c_str(), MNT_DETACH); }

 private:
  fs::path target_;
};

TEST(BadInputTest, TheDiskFillingUpStopsTheRunWithAClearErrorAndKeepsWhatWasCommitted) {
  std::string why;
  if (!enter_private_mount_namespace(&why)) GTEST_SKIP() << why;
  TempDir dir;
  dir.write("fill.yaml", filling_workflow());
  fs::path disk = dir.path() / "disk";
  fs::create_directories(disk);
  ASSERT_EQ(::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=400k"), 0) << std::strerror(errno);
  ScopedMount unmount(disk);
  std::vector<std::string> args = {"run", "fill.yaml", "--state", "disk/fill.db"};

  ProcessResult full = run_flowweaver(args, dir.path());
  EXPECT_EQ(full.exit_code, 3) << full.err;
  EXPECT_THAT(full.err, HasSubstr("error state database disk/fill.db: recording task state failed: "
                                  "database or disk is full"));

  // Room again: the same file, grown in place.
  ASSERT_EQ(::mount(nullptr, disk.c_str(), nullptr, MS_REMOUNT, "size=64m"), 0)
      << std::strerror(errno);
  expect_committed_state_kept_and_resumable(dir, args, (disk / "fill.db").string());
}

// Starts a run whose files may not grow beyond `max_bytes` (RLIMIT_FSIZE, as `ulimit -f` or
// systemd's LimitFSIZE= set it), with SIGXFSZ at its default action, as a shell would leave it.
ProcessResult run_with_file_size_limit(const std::vector<std::string>& args, const TempDir& dir,
                                       rlim_t max_bytes) {
  rlimit saved{};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  struct sigaction default_action {
  }, saved_action{};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(SIGXFSZ, &default_action, &saved_action);
  rlimit limited = saved;
  limited.rlim_cur = max_bytes;
  ::setrlimit(RLIMIT_FSIZE, &limited);
  FlowWeaverProcess p(args, dir.path());  // inherits both
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::sigaction(SIGXFSZ, &saved_action, nullptr);
  return p.wait();
}

TEST(BadInputTest, AFileSizeLimitEndsTheRunAndKeepsWhatWasCommitted) {
  TempDir dir;
  dir.write("fill.yaml", filling_workflow());
  std::vector<std::string> args = {"run", "fill.yaml", "--state", "fill.db"};
  ProcessResult limited = run_with_file_size_limit(args, dir, 400 * 1000);
  // The host does not ignore SIGXFSZ, so today the limit kills it (128 + SIGXFSZ) where a full
  // disk gives a clear error (exit 3); docs/bad-input.md reports it. Either way nothing is lost.
  // The host ignores SIGXFSZ: the failed write is an error it reports, not a silent death.
  EXPECT_EQ(limited.exit_code, 3) << limited.err;
  EXPECT_THAT(limited.err, HasSubstr("recording task state failed"));
  expect_committed_state_kept_and_resumable(dir, args, (dir.path() / "fill.db").string());
}

// --- Bad values found only at run time --------------------------------------------------------

TEST(BadInputTest, AMissingUpstreamOutputPathFailsTheTaskOnceNamingThePath) {
  TempDir dir;
  dir.write("wf.yaml", R"(name: wf
tasks:
  - {name: up, uses: builtin.echo, with: {v: 1}}
  - {name: down, uses: builtin.echo, with: {x: "${tasks.up.output.nope}"}, depends_on: [up], retries: 2, retry_delay: 10ms}
)");
  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(
      query_one((dir.path() / "var" / "wf.db").string(),
                "SELECT status || ' ' || attempt || ': ' || error FROM tasks WHERE task_name = "
                "'down'"),
      "FAILED 1: ${tasks.up.output.nope}: task 'up' output has no 'nope'")
      << "a permanent failure: no retry could make the path appear";
}

// --- Unwritable or damaged state -----------------------------------------------------------------

constexpr const char* kFailsOnce = R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.fail, with: {times: 1}, depends_on: [a]}
)";

// Makes `dir` unwritable for the flowweaver processes the test starts: a read-only bind mount
// (EROFS, as systemd's ProtectSystem= gives; stops root too) where mounting is allowed, else
// permission bits, which stop only users other than root. Empty on success, else why not.
std::string make_read_only(const fs::path& dir, std::unique_ptr<ScopedMount>* mount) {
  std::string why;
  if (enter_private_mount_namespace(&why)) {
    if (::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0) return "bind mount";
    *mount = std::make_unique<ScopedMount>(dir);
    if (::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      return std::string("read-only remount: ") + std::strerror(errno);
    }
    return "";
  }
  if (::geteuid() == 0) return why + "; and permission bits do not stop root";
  fs::permissions(dir, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                  fs::perm_options::remove);
  return "";
}

TEST(BadInputTest, AReadOnlyStateDirectoryIsAClearErrorAndNothingInItChanges) {
  TempDir dir;
  dir.write("wf.yaml", kFailsOnce);
  fs::path state_dir = dir.path() / "readonly";
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml", "--state", "readonly/wf.db"}, dir.path()).exit_code,
            1);  // an unfinished run, which the next `run` would resume and write to
  std::string before = read_file(state_dir / "wf.db");
  std::unique_ptr<ScopedMount> mount;
  std::string why = make_read_only(state_dir, &mount);
  if (!why.empty()) GTEST_SKIP() << "cannot make a read-only directory: " << why;

  for (const char* state : {"readonly/wf.db", "readonly/new.db"}) {
    ProcessResult r = run_flowweaver({"run", "wf.yaml", "--state", state}, dir.path());
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_THAT(r.err, HasSubstr("error cannot write state in readonly: "));
    EXPECT_THAT(r.err, HasSubstr("(fix its permissions, or choose another place with --state)"));
  }
  EXPECT_FALSE(fs::exists(state_dir / "new.db"));
  EXPECT_EQ(read_file(state_dir / "wf.db"), before);

  // The commands that only read still do: SQLite cannot make the -shm it needs for a WAL
  // database there, so a state at rest is opened as immutable.
  ProcessResult status = run_flowweaver({"status", "--state", "readonly/wf.db"}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("FAILED"));
  ProcessResult check = run_flowweaver({"check", "--state", "readonly/wf.db"}, dir.path());
  EXPECT_THAT(check.out, ContainsRegex("integrity: +ok")) << check.err;
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;  // a FAILED run is nothing to fix
  EXPECT_THAT(check.out, Not(HasSubstr("restore")));
  EXPECT_EQ(read_file(state_dir / "wf.db"), before);

  mount.reset();
  fs::permissions(state_dir, fs::perms::owner_write, fs::perm_options::add);
  ProcessResult resumed =
      run_flowweaver({"run", "wf.yaml", "--state", "readonly/wf.db"}, dir.path());
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(query_one((state_dir / "wf.db").string(), "SELECT count(*) FROM runs"), "1");
}

TEST(BadInputTest, AStateWithDamagedPagesIsRefusedByRunAndItsPagesAreLeftAlone) {
  TempDir dir;
  dir.write("wf.yaml", kFailsOnce);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  fs::path db = dir.path() / "var" / "wf.db";
  std::string bytes = read_file(db);
  ASSERT_GT(bytes.size(), 8192u);
  std::fill(bytes.begin() + 8192, bytes.end(), '\xab');  // the header and schema stay readable
  dir.write("var/wf.db", bytes);

  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("error state database var/wf.db: reading runs left RUNNING failed: "
                               "database disk image is malformed"));
  EXPECT_EQ(read_file(db), bytes);  // not a byte changed
}

// A writer killed mid-commit leaves `-wal` and `-shm`; here the `-shm` is gone too (a copy
// without it, or a cleanup) and the directory read-only: SQLite cannot rebuild the WAL index
// there, yet the commits in the `-wal` are the newest state and must be read.
TEST(BadInputTest, AWalWithoutItsShmInAReadOnlyDirectoryIsStillReadWhole) {
  TempDir dir;
  dir.write("wf.yaml", kFailsOnce);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  fs::path state_dir = dir.path() / "readonly";
  fs::create_directories(state_dir);
  {
    SQLite::Database writer((dir.path() / "var" / "wf.db").string(), SQLite::OPEN_READWRITE);
    writer.exec("PRAGMA wal_autocheckpoint = 0");
    writer.exec("UPDATE runs SET status = 'RUNNING', finished_at = NULL");  // in the -wal only
    fs::copy_file(dir.path() / "var" / "wf.db", state_dir / "wf.db");
    fs::copy_file(dir.path() / "var" / "wf.db-wal", state_dir / "wf.db-wal");
  }
  ASSERT_FALSE(fs::exists(state_dir / "wf.db-shm"));
  std::string before = read_file(state_dir / "wf.db");
  std::string wal_before = read_file(state_dir / "wf.db-wal");
  std::unique_ptr<ScopedMount> mount;
  std::string why = make_read_only(state_dir, &mount);
  if (!why.empty()) GTEST_SKIP() << "cannot make a read-only directory: " << why;

  ProcessResult status = run_flowweaver({"status", "--state", "readonly/wf.db"}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("RUNNING"));  // what only the -wal says
  ProcessResult check = run_flowweaver({"check", "--state", "readonly/wf.db"}, dir.path());
  EXPECT_THAT(check.out, ContainsRegex("integrity: +ok")) << check.err;
  EXPECT_THAT(check.out, Not(HasSubstr("restore")));
  EXPECT_EQ(read_file(state_dir / "wf.db"), before);
  EXPECT_EQ(read_file(state_dir / "wf.db-wal"), wal_before);
  EXPECT_FALSE(fs::exists(state_dir / "wf.db-shm"));
}

// `touch var/wf.db`, or a copy that truncated it: SQLite would take the empty file for a new
// database, and the whole workflow would run again.
TEST(BadInputTest, AnEmptyStateFileIsRefusedNotRunAgainInto) {
  TempDir dir;
  dir.write("wf.yaml", kFailsOnce);
  dir.write("var/wf.db", "");
  for (const char* command : {"run", "status"}) {
    std::vector<std::string> args =
        std::string(command) == "run" ? std::vector<std::string>{"run", "wf.yaml"}
                                      : std::vector<std::string>{"status", "--state", "var/wf.db"};
    ProcessResult r = run_flowweaver(args, dir.path());
    EXPECT_EQ(r.exit_code, 3) << command << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("state file var/wf.db is empty (0 bytes)")) << command;
    EXPECT_THAT(r.err, HasSubstr("Restore it from a backup")) << command;
  }
  EXPECT_EQ(fs::file_size(dir.path() / "var" / "wf.db"), 0u);
  EXPECT_FALSE(fs::exists(dir.path() / "var" / "wf.db-wal"));
}

// The last run's process died, and a page of `attempts` (which the next run writes to only
// once tasks finish) is damaged: the writer checks before it writes anything, and refuses.
TEST(BadInputTest, ADamagedAttemptsPageAfterACrashIsRefusedBeforeAnythingIsWritten) {
  TempDir dir;
  dir.write("wf.yaml", kFailsOnce);
  ASSERT_EQ(run_flowweaver({"run", "wf.yaml"}, dir.path()).exit_code, 1);
  fs::path db = dir.path() / "var" / "wf.db";
  int attempts_page = 0;
  size_t page = 0;
  {
    SQLite::Database writer(db.string(), SQLite::OPEN_READWRITE);
    // As a killed process leaves it: a run still RUNNING, none of its tasks done yet.
    writer.exec(
        "INSERT INTO runs (run_id, workflow, status, started_at, manifest_hash) "
        "SELECT 'killed', workflow, 'RUNNING', '2030-01-01T00:00:00.000Z', manifest_hash "
        "FROM runs LIMIT 1");
    attempts_page =
        writer.execAndGet("SELECT rootpage FROM sqlite_master WHERE name = 'attempts'").getInt();
    page = static_cast<size_t>(writer.execAndGet("PRAGMA page_size").getInt());
    writer.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::string bytes = read_file(db);
  ASSERT_GE(bytes.size(), page * attempts_page);
  std::fill(bytes.begin() + page * (attempts_page - 1), bytes.begin() + page * attempts_page,
            '\xab');
  dir.write("var/wf.db", bytes);

  ProcessResult r = run_flowweaver({"run", "wf.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("error state database var/wf.db: reading runs left RUNNING failed: "
                               "database disk image is malformed"));
  EXPECT_THAT(r.err, HasSubstr("`flowweaver check var/wf.db` says where; restore the state from "
                               "a backup"));
  EXPECT_EQ(read_file(db), bytes);  // not a byte changed
}

}  // namespace
}  // namespace flowweaver::testing
