#include "state/state_location.h"

#include <gtest/gtest.h>

#include "scratch_dir.h"
#include "state/postgres_connection.h"
#include "state/state_store.h"
#include "util/error.h"

namespace flowweaver {
namespace {

TEST(StateLocationTest, AJsonNameIsTheJsonStoreAnyOtherPathSqlite) {
  EXPECT_EQ(parse_state_location("var/wf.json").backend, StateBackendKind::kJson);
  EXPECT_EQ(parse_state_location("var/wf.db").backend, StateBackendKind::kSqlite);
  EXPECT_EQ(parse_state_location("state").backend, StateBackendKind::kSqlite);
  EXPECT_EQ(parse_state_location("/srv/a:b/wf.db").path, "/srv/a:b/wf.db");
}

TEST(StateLocationTest, AnUnknownSchemeIsRefusedNamingWhatIsAccepted) {
  try {
    parse_state_location("mysql://db.example/flow");
    FAIL() << "an unknown scheme was taken for a path";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    std::string message = e.what();
    EXPECT_NE(message.find("mysql://"), std::string::npos) << message;
    EXPECT_NE(message.find("postgresql://user@host/db"), std::string::npos) << message;
    EXPECT_NE(message.find("state file path"), std::string::npos) << message;
    EXPECT_NE(message.find(".json"), std::string::npos) << message;
  }
}

TEST(StateLocationTest, APostgresUrlIsADatabaseAndItsFragmentNamesTheLock) {
  for (const char* url : {"postgresql://fw@db.example/flow", "postgres://fw@db.example/flow"}) {
    StateLocation where = parse_state_location(url);
    EXPECT_EQ(where.backend, StateBackendKind::kPostgres) << url;
    EXPECT_EQ(where.path, url);
    EXPECT_EQ(where.lock_name, "");
  }
  StateLocation child = parse_state_location("postgresql://fw@db.example/flow#child");
  EXPECT_EQ(child.path, "postgresql://fw@db.example/flow");
  EXPECT_EQ(child.lock_name, "child");
  EXPECT_EQ(sibling_state("postgresql://fw@db.example/flow#parent", "child"),
            "postgresql://fw@db.example/flow#child");
  // A workflow's own lock, unless the location names one; files are as given.
  EXPECT_EQ(workflow_state("postgresql://fw@db.example/flow", "wf"),
            "postgresql://fw@db.example/flow#wf");
  EXPECT_EQ(workflow_state("postgresql://fw@db.example/flow#other", "wf"),
            "postgresql://fw@db.example/flow#other");
  EXPECT_EQ(workflow_state("var/x.db", "wf"), "var/x.db");
}

TEST(StateLocationTest, APasswordNeverReachesAMessage) {
  EXPECT_EQ(url_without_password("postgresql://fw:s3cret@db.example:5433/flow"),
            "postgresql://fw@db.example:5433/flow");
  EXPECT_EQ(url_without_password("postgresql://fw@db.example/flow?password=s3cret"),
            "postgresql://fw@db.example/flow");
  EXPECT_EQ(url_without_password(
                "postgresql://db.example/flow?sslmode=require&password=s3cret&connect_timeout=3"),
            "postgresql://db.example/flow?sslmode=require&connect_timeout=3");
  EXPECT_EQ(url_without_password("postgresql://db.example/flow?sslmode=require&password=s3cret"),
            "postgresql://db.example/flow?sslmode=require");
  EXPECT_EQ(url_without_password("postgresql://fw@db.example/flow"),
            "postgresql://fw@db.example/flow");
  try {
    parse_state_location("mysql://fw:s3cret@db.example/flow");
    ADD_FAILURE() << "an unknown scheme was taken";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
  }
}

TEST(StateLocationTest, OpeningAnUnknownSchemeCreatesNothing) {
  testing::ScratchDir dir;
  std::string url = "mysql://" + dir.file("x");
  EXPECT_THROW(open_state_store(url, Durability::kNormal), Error);
  EXPECT_THROW(open_existing_state_store(url), Error);
  EXPECT_THROW(find_state_store(url), Error);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  EXPECT_FALSE(std::filesystem::exists("mysql:"));
}

TEST(StateLocationTest, NamesAWorkflowsStateInADirectoryAndBesideAnother) {
  EXPECT_EQ(state_file_in("/var/lib/flowweaver", "etl"), "/var/lib/flowweaver/etl.db");
  EXPECT_TRUE(is_directory_state_file(state_file_in("d", "etl")));
  EXPECT_FALSE(is_directory_state_file("d/etl.json"));
  EXPECT_TRUE(has_state_file_extension("d/etl.json"));
  EXPECT_FALSE(has_state_file_extension("d/etl.db.lock"));
  EXPECT_EQ(sibling_state("dir/parent.json", "child"), "dir/child.json");
  EXPECT_EQ(sibling_state("dir/parent.db", "child"), "dir/child.db");
  EXPECT_EQ(sibling_state("dir/parent", "child"), "dir/child.db");
}

TEST(StateLocationTest, FindingAStateThatIsNotThereGivesNothingAndCreatesNothing) {
  testing::ScratchDir dir;
  EXPECT_EQ(find_state_store(dir.file("none.db")), nullptr);
  EXPECT_EQ(find_state_store(dir.file("none.json")), nullptr);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  open_state_store(dir.file("wf.db"), Durability::kNormal);
  ASSERT_NE(find_state_store(dir.file("wf.db")), nullptr);
  EXPECT_FALSE(find_state_store(dir.file("wf.db"))->latest_run("wf"));
}

}  // namespace
}  // namespace flowweaver
