// `flowweaver serve` with `state: postgresql://…` in its config: runs requested over HTTP are
// kept in the database (with the password from a secret), read back by the API and by
// `flowweaver status --state URL`, and a database the service cannot reach stops its start.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "integration/flowweaver_process.h"
#include "integration/serve_process.h"
#include "state/postgres_connection.h"
#include "unit/postgres_state_server.h"

namespace flowweaver::testing {
namespace {

using Json = nlohmann::json;

std::string one(const std::string& url, const std::string& sql) {
  PgConnection db(url);
  PgResult r = db.exec("testing", sql);
  return r.rows() > 0 ? r.text(0, 0) : "<none>";
}

// A served directory: workflows/wf.yaml and config.yaml with `state: url` and `extra` keys.
void write_served(const TempDir& dir, const std::string& url, const std::string& extra) {
  std::filesystem::create_directories(dir.path() / "workflows");
  dir.write("workflows/wf.yaml", R"(name: wf
tasks:
  - {name: a, uses: builtin.echo, with: {v: 1}}
  - {name: b, uses: builtin.noop, depends_on: [a]}
)");
  dir.write("config.yaml",
            "workflows_dir: workflows\nstate_dir: var\nlog_dir: var/log\n"
            "listen: \"127.0.0.1:0\"\nstate: " +
                url + "\n" + extra);
}

std::string database_of(const std::string& url) { return url.substr(url.rfind('/') + 1); }

TEST(PostgresServeTest, RunsAreKeptInTheDatabaseWithThePasswordFromASecret) {
  require_password_for_pwuser();
  std::string admin_url = new_postgres_database("serve");
  std::string url = postgres_url_as("pwuser", "", database_of(admin_url));
  TempDir dir;
  write_served(dir, url, "state_password: ${secrets.PG_PASSWORD}\nhost_id: alpha\n");
  ServeProcess serve(dir.path() / "config.yaml", dir.path(),
                     {{"FLOWWEAVER_SECRET_PG_PASSWORD", "right-one"}});
  EXPECT_NE(serve.err().find("host alpha: runs are kept in " + url), std::string::npos)
      << serve.err();

  HttpReply started = serve.post("/api/workflows/wf/runs");
  ASSERT_EQ(started.status, 201) << started.body;
  std::string run_id = Json::parse(started.body).value("run_id", "");
  ASSERT_FALSE(run_id.empty()) << started.body;
  ASSERT_TRUE(wait_until([&] {
    return serve.get_json("/api/runs/" + run_id).value("status", "") == "COMPLETED";
  })) << serve.get("/api/runs/" + run_id).body
      << serve.err();

  EXPECT_EQ(one(admin_url, "SELECT status FROM runs WHERE run_id = '" + run_id + "'"), "COMPLETED");
  EXPECT_EQ(one(admin_url, "SELECT count(*) FROM tasks WHERE status = 'COMPLETED'"), "2");
  Json workflows = serve.get_json("/api/workflows");
  ASSERT_TRUE(workflows.is_array()) << workflows.dump();
  EXPECT_EQ(workflows[0]["last_run"].value("run_id", ""), run_id) << workflows.dump();
  Json health = serve.get_json("/health");
  EXPECT_EQ(health.value("status", ""), "ok") << health.dump();

  ProcessResult status =
      run_flowweaver({"status", "workflows/wf.yaml", "--state", admin_url}, dir.path());
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(run_id), std::string::npos) << status.out;
  ProcessResult stopped = serve.stop();
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(stopped.err.find("right-one"), std::string::npos) << stopped.err;
  // No state file: the runs are in the database only.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path() / "var")) {
    EXPECT_NE(entry.path().extension(), ".db") << entry.path();
  }
}

TEST(PostgresServeTest, AWrongPasswordStopsTheStartNamingTheDatabaseButNotThePassword) {
  require_password_for_pwuser();
  std::string url = postgres_url_as("pwuser", "", database_of(new_postgres_database("wrongpw")));
  TempDir dir;
  write_served(dir, url, "state_password: ${secrets.PG_PASSWORD}\n");
  ProcessResult r = run_flowweaver({"serve", "--config", "config.yaml"}, dir.path(),
                                   {{"FLOWWEAVER_SECRET_PG_PASSWORD", "not-the-one"}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("the service cannot start"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(url), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not-the-one"), std::string::npos) << r.err;

  // A missing secret is a config error (exit 2) at its line.
  ProcessResult missing = run_flowweaver({"serve", "--config", "config.yaml"}, dir.path());
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("config.yaml:6:17: `state_password`: secret 'PG_PASSWORD' is not set"),
            std::string::npos)
      << missing.err;
}

}  // namespace
}  // namespace flowweaver::testing
