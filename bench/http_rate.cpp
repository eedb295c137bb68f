// The HTTP API's rates on one kept-alive connection to a running `flowweaver serve` (issue 13):
// first /livez round trips, then runs of WORKFLOW started one after another, each POSTed and
// then polled with GET /api/runs/ID until it is COMPLETED before the next POST.
//
//   http_rate PORT WORKFLOW NUM_RUNS [NUM_LIVEZ]
//
// Prints one line on stdout:
//   livez_median_us=… livez_p99_us=… runs=… runs_s=… polls_per_run=… retries=… connects=…
// and exits 1 when a request fails or a run does not complete.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"

using flowweaver::testing::HttpClient;
using flowweaver::testing::HttpReply;
using Clock = std::chrono::steady_clock;

namespace {

double us_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// Percentile `p` (0..1) of `values`, sorted in place.
double percentile(std::vector<double>& values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5)];
}

bool livez_rates(HttpClient& client, int count, double* median_us, double* p99_us) {
  std::vector<double> us;
  for (int i = 0; i < count; ++i) {
    auto start = Clock::now();
    if (client.get("/livez").status != 200) return false;
    us.push_back(us_since(start));
  }
  *p99_us = percentile(us, 0.99);
  *median_us = percentile(us, 0.5);
  return true;
}

// POSTs one run (again on 409, while the service lets go of the previous one) and polls it
// until it is final. False when it fails or does not end COMPLETED.
bool one_run(HttpClient& client, const std::string& workflow, long* polls, long* retries) {
  std::string run_id;
  for (int attempt = 0; run_id.empty(); ++attempt) {
    HttpReply started = client.post("/api/workflows/" + workflow + "/runs");
    if (started.status == 201) {
      run_id = nlohmann::json::parse(started.body)["run_id"];
    } else if (started.status != 409 || attempt > 10000) {
      std::fprintf(stderr, "POST answered %d: %s\n", started.status, started.body.c_str());
      return false;
    } else {
      ++*retries;
    }
  }
  while (true) {
    ++*polls;
    HttpReply run = client.get("/api/runs/" + run_id);
    nlohmann::json body = nlohmann::json::parse(run.body, nullptr, false);
    std::string status = body.is_object() ? body.value("status", "") : "";
    if (status == "COMPLETED") return true;
    if (run.status != 200 || status == "FAILED" || status == "INTERRUPTED") {
      std::fprintf(stderr, "run %s: %d %s\n", run_id.c_str(), run.status, run.body.c_str());
      return false;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: http_rate PORT WORKFLOW NUM_RUNS [NUM_LIVEZ]\n");
    return 2;
  }
  HttpClient client(std::stoi(argv[1]));
  std::string workflow = argv[2];
  int num_runs = std::stoi(argv[3]);
  int num_livez = argc > 4 ? std::stoi(argv[4]) : 2000;

  double median_us = 0, p99_us = 0;
  if (!livez_rates(client, num_livez, &median_us, &p99_us)) return 1;
  long polls = 0, retries = 0;
  auto start = Clock::now();
  for (int i = 0; i < num_runs; ++i) {
    if (!one_run(client, workflow, &polls, &retries)) return 1;
  }
  double seconds = us_since(start) / 1e6;
  std::printf(
      "livez_median_us=%.1f livez_p99_us=%.1f runs=%d runs_s=%.1f polls_per_run=%.2f "
      "retries=%ld connects=%d\n",
      median_us, p99_us, num_runs, num_runs / seconds, static_cast<double>(polls) / num_runs,
      retries, client.num_connects());
  return 0;
}
