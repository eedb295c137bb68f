// What handing tasks between hosts costs a chain of no-op tasks (docs/BENCHMARKS.md, "Cluster
// claims"): one process, a throwaway PostgreSQL (the tests' PostgresServer), a chain of N
// builtin.noop tasks run twice on a PostgreSQL state: every call on the run's host, then every
// call handed through task_claims to the claim worker of a second cluster node. Prints the
// wall time per step and the database transactions per step (pg_stat_database.xact_commit).
//
//   cluster_chain [N]        N defaults to 1000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cluster/cluster_node.h"
#include "engine.h"
#include "integration/postgres_server.h"
#include "manifest/validator.h"
#include "run_logger.h"
#include "state/postgres_connection.h"
#include "state/state_location.h"
#include "workflow.h"

using namespace flowweaver;

namespace {

std::string chain_manifest(int n) {
  std::string yaml = "name: wf\ntasks:\n";
  for (int i = 0; i < n; ++i) {
    yaml += "  - {name: t" + std::to_string(i) + ", uses: builtin.noop" +
            (i ? ", depends_on: [t" + std::to_string(i - 1) + "]}\n" : std::string("}\n"));
  }
  return yaml;
}

std::string database(const std::string& admin_url, const std::string& name) {
  PgConnection admin(admin_url);
  admin.exec("creating a database", "CREATE DATABASE " + name);
  return admin_url.substr(0, admin_url.rfind('/') + 1) + name;
}

// Committed transactions of the database, once every session's statistics are in.
long long transactions(const std::string& admin_url, const std::string& name) {
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  PgConnection admin(admin_url);
  return admin
      .exec("reading statistics", "SELECT xact_commit FROM pg_stat_database WHERE datname = $1",
            {name})
      .number(0, 0);
}

void run_once(const Workflow& w, const std::string& admin_url, const std::string& name,
              bool cluster, int n) {
  std::string url = database(admin_url, name);
  auto log = make_logger("", "warn");
  long long before = transactions(admin_url, name);
  double ms = 0;
  {
    std::unique_ptr<StateStore> store =
        open_state_store(workflow_state(url, "wf"), Durability::kNormal);
    std::unique_ptr<ClusterNode> here, other;
    if (cluster) {
      here = std::make_unique<ClusterNode>(ClusterSettings{url, "run-host", 0, Millis(10000)}, log);
      other = std::make_unique<ClusterNode>(ClusterSettings{url, "other", 1, Millis(10000)}, log);
      auto shared = std::shared_ptr<const Workflow>(&w, [](const Workflow*) {});
      other->start_workers(
          [shared] { return std::vector<std::shared_ptr<const Workflow>>{shared}; });
    }
    SystemClock clock;
    StopSwitch stop_switch;
    ExecuteOptions options;
    options.cluster = here.get();
    options.task_log_root.clear();
    auto start = std::chrono::steady_clock::now();
    RunOutcome outcome = execute_run(w, *store, log, clock, stop_switch, options);
    ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (outcome.run.status != RunStatus::kCompleted) std::fprintf(stderr, "run did not complete\n");
  }
  long long after = transactions(admin_url, name);
  std::printf("%-8s %5d tasks  %8.1f ms  %6.2f ms/step  %6.2f transactions/step\n",
              cluster ? "claimed" : "local", n, ms, ms / n, double(after - before) / n);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  testing::PostgresServer server(POSTGRES_BIN_DIR);
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "fw-cluster-chain";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "wf.yaml") << chain_manifest(n);
  DiagnosticList diagnostics((dir / "wf.yaml").string());
  std::optional<Workflow> w =
      load_workflow((dir / "wf.yaml").string(), {FLOWWEAVER_PLUGIN_DIR}, process_env, &diagnostics);
  if (!w) {
    std::fprintf(stderr, "%s", diagnostics.to_string().c_str());
    return 2;
  }
  run_once(*w, server.url(), "local_chain", false, n);
  run_once(*w, server.url(), "claimed_chain", true, n);
  std::filesystem::remove_all(dir);
  return 0;
}
