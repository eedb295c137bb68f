// The example pipeline, workflows/customer_data_etl.yaml, run end to end by the real binary
// with the etl plugin: as shipped, and copied beside CSV files of the tests' own.
#include <gtest/gtest.h>

#include "flowweaver_process.h"

namespace flowweaver::testing {
namespace {

using Rows = std::vector<std::string>;

const std::string kManifest = FLOWWEAVER_SOURCE_DIR "/workflows/customer_data_etl.yaml";
const std::string kLatestRun = "SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1";

class EtlTest : public ::testing::Test {
 protected:
  ProcessResult run(const std::string& manifest, std::vector<std::string> extra_args = {}) {
    std::vector<std::string> args = {"run", manifest, "--state", state_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return run_flowweaver(args, dir_.path(), {{"FLOWWEAVER_WAREHOUSE", warehouse_}});
  }

  // The manifest copied into the temporary directory, so that its ${manifest.dir}/data/ is the
  // test's own.
  std::string copy_manifest() { return dir_.write("customer_data_etl.yaml", read_file(kManifest)); }

  // The tasks of the latest run, in manifest order.
  Rows task_statuses() {
    return query_column(state_, "SELECT task_name || ' ' || status FROM tasks WHERE run_id = (" +
                                    kLatestRun + ") ORDER BY position");
  }

  // A value from validate_data's output (a JSON path such as $.rejected) in the latest run.
  Rows validate_result(const std::string& path) {
    return query_column(state_, "SELECT json_extract(result, '" + path +
                                    "') FROM tasks WHERE task_name = 'validate_data' AND "
                                    "run_id = (" +
                                    kLatestRun + ")");
  }

  Rows count_customers() { return query_column(warehouse_, "SELECT count(*) FROM customers"); }

  TempDir dir_;
  std::string state_ = (dir_.path() / "state.db").string();
  std::string warehouse_ = (dir_.path() / "warehouse/customers.db").string();
};

const Rows kAllCompleted = {"extract_customers COMPLETED", "validate_data COMPLETED",
                            "load_warehouse COMPLETED"};

TEST_F(EtlTest, ExamplePipelineLoadsTheValidCustomersAndReportsTheRejects) {
  ProcessResult r = run(kManifest);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(task_statuses(), kAllCompleted);
  EXPECT_EQ(validate_result("$.count"), Rows{"16"});
  EXPECT_EQ(validate_result("$.rejected"), Rows{"4"});
  EXPECT_EQ(
      query_column(state_,
                   "SELECT json_extract(r.value, '$.id') || ': ' || json_extract(r.value, "
                   "'$.reason') FROM tasks, "
                   "json_each(result, '$.rejects') AS r WHERE task_name = 'validate_data'"),
      (Rows{"1009: missing required field 'email'", "1013: malformed email 'maria.garcia@example'",
            "1016: malformed email 'pedro.alves@@example.br'",
            "1017: missing required field 'name'"}));
  EXPECT_EQ(count_customers(), Rows{"16"});
  EXPECT_EQ(query_column(warehouse_, "SELECT name FROM customers WHERE id = '1011'"),
            Rows{"Karen \"KJ\" Jensen"});
}

TEST_F(EtlTest, RunningAgainUpdatesTheSameRows) {
  ASSERT_EQ(run(kManifest).exit_code, 0);
  ProcessResult r = run(kManifest, {"--fresh"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(query_column(state_, "SELECT count(*) FROM runs"), Rows{"2"});
  EXPECT_EQ(task_statuses(), kAllCompleted);
  EXPECT_EQ(count_customers(), Rows{"16"});
}

TEST_F(EtlTest, ABadEmailIsRejectedAndTheRestLoaded) {
  dir_.write("data/customers.csv",
             "id,name,email,country,signup_date\r\n"
             "1,Ann Lee,ann@example.com,US,2024-01-01\r\n"
             "2,Bo Chen,bo.example.com,CN,2024-01-02\r\n"
             "3,Cy Diaz,cy@example.org,MX,2024-01-03\r\n");
  ProcessResult r = run(copy_manifest());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(task_statuses(), kAllCompleted);
  EXPECT_EQ(validate_result("$.rejected"), Rows{"1"});
  EXPECT_EQ(validate_result("$.rejects[0].reason"), Rows{"malformed email 'bo.example.com'"});
  EXPECT_EQ(query_column(warehouse_, "SELECT id FROM customers ORDER BY id"), (Rows{"1", "3"}));
}

TEST_F(EtlTest, AMissingCsvFailsExtractionAndSkipsTheRest) {
  std::string manifest = copy_manifest();
  ProcessResult r = run(manifest);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(task_statuses(),
            (Rows{"extract_customers FAILED", "validate_data SKIPPED", "load_warehouse SKIPPED"}));
  std::string csv = (dir_.path() / "data/customers.csv").string();
  Rows errors =
      query_column(state_, "SELECT error FROM tasks WHERE task_name = 'extract_customers'");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find(csv), std::string::npos) << errors[0];
  // A missing file is a permanent failure: no retries.
  EXPECT_EQ(query_column(state_, "SELECT attempt FROM tasks WHERE task_name = 'extract_customers'"),
            Rows{"1"});
}

}  // namespace
}  // namespace flowweaver::testing
