#include "state/wal_sync.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "scratch_dir.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// What the test sync functions saw (a SyncFunction is a plain function pointer).
std::atomic<int> syncs{0};
std::atomic<bool> sync_started{false};
std::atomic<bool> sync_finished{false};
std::string synced_file;  // written before `syncs` is incremented

int counting_sync(int fd) {
  char target[4096];
  ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), target, sizeof target);
  synced_file.assign(target, n > 0 ? n : 0);
  ++syncs;
  return 0;
}

int slow_sync(int) {
  sync_started = true;
  std::this_thread::sleep_for(200ms);
  sync_finished = true;
  return 0;
}

bool eventually(const std::function<bool()>& condition) {
  for (auto deadline = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(1ms)) {
    if (condition()) return true;
  }
  return condition();
}

class WalSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    syncs = 0;
    sync_started = sync_finished = false;
    synced_file.clear();
    path_ = dir_.file("state.db");
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    exec("PRAGMA journal_mode=WAL");
    exec("CREATE TABLE t (x BLOB)");
  }
  void TearDown() override {
    wal_sync_.reset();
    sqlite3_close(db_);
  }

  void exec(const char* sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  }

  // One transaction per row of 3,000 bytes: each adds a page or two to the WAL.
  void commit_rows(int count) {
    for (int i = 0; i < count; ++i) exec("INSERT INTO t VALUES (randomblob(3000))");
  }

  // Commits until the WAL holds `pages` pages (frames of a 24-byte header and a 4 KB page, after
  // the WAL's own 32-byte header).
  void grow_wal_to(int pages) {
    auto wal_pages = [&] {
      std::error_code ec;
      uintmax_t size = fs::file_size(path_ + "-wal", ec);
      return ec || size < 32 ? 0 : static_cast<int>((size - 32) / (24 + 4096));
    };
    while (wal_pages() < pages) commit_rows(1);
  }

  uintmax_t db_file_size() const { return fs::file_size(path_); }

  testing::ScratchDir dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<WalSync> wal_sync_;
};

TEST_F(WalSyncTest, CheckpointsOnceTheWalHoldsTheGivenNumberOfPages) {
  wal_sync_ = std::make_unique<WalSync>(db_, 100, nullptr);
  uintmax_t before = db_file_size();
  commit_rows(150);
  // Checkpointed pages land in the database file, which had only the schema's.
  EXPECT_GT(db_file_size(), before + 50 * 4096);
}

TEST_F(WalSyncTest, ReplacesSqlitesOwnCheckpointEvery1000Pages) {
  wal_sync_ = std::make_unique<WalSync>(db_, 100000, nullptr);
  uintmax_t before = db_file_size();
  commit_rows(1100);
  EXPECT_EQ(db_file_size(), before);
  EXPECT_GT(fs::file_size(path_ + "-wal"), 1000u * 4096);
}

TEST_F(WalSyncTest, SyncsTheWalInTheBackgroundEachFewPages) {
  wal_sync_ = std::make_unique<WalSync>(db_, 100000, &counting_sync);
  grow_wal_to(WalSync::kPagesPerSync - 10);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(syncs, 0);
  grow_wal_to(WalSync::kPagesPerSync);
  ASSERT_TRUE(eventually([] { return syncs >= 1; }));
  EXPECT_EQ(fs::path(synced_file), fs::canonical(path_ + "-wal"));
  // The first sync covered what the WAL held when it began: a few pages more than the minimum.
  grow_wal_to(2 * WalSync::kPagesPerSync + 10);
  EXPECT_TRUE(eventually([] { return syncs >= 2; }));
}

TEST_F(WalSyncTest, StoppingWaitsForASyncUnderWay) {
  wal_sync_ = std::make_unique<WalSync>(db_, 100000, &slow_sync);
  grow_wal_to(WalSync::kPagesPerSync);
  ASSERT_TRUE(eventually([] { return sync_started.load(); }));
  wal_sync_.reset();
  EXPECT_TRUE(sync_finished);
}

}  // namespace
}  // namespace flowweaver
