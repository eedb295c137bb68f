#include "service/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace flowweaver {
namespace {

using ::testing::ElementsAre;

// What a scraper sees: the rendered text read back with the format's own rules.
struct Scrape {
  std::vector<std::string> families;  // in order of their # TYPE lines
  std::map<std::string, std::string> help;
  std::map<std::string, std::string> type;
  // Samples in order, keyed like `name{a=x,b=y}` with label values unescaped.
  std::vector<std::pair<std::string, double>> samples;

  double value(const std::string& key) const {
    for (const auto& [k, v] : samples) {
      if (k == key) return v;
    }
    ADD_FAILURE() << "no sample " << key;
    return NAN;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : samples) out.push_back(k);
    return out;
  }
};

// Reads `"..."` at text[*i] (just past the quote), undoing \\, \" and \n.
std::string read_quoted(const std::string& text, size_t* i) {
  std::string out;
  while (*i < text.size() && text[*i] != '"') {
    char c = text[(*i)++];
    if (c == '\\') {
      char e = text.at((*i)++);
      if (e == 'n') {
        out += '\n';
      } else if (e == '\\' || e == '"') {
        out += e;
      } else {
        ADD_FAILURE() << "bad escape \\" << e;
      }
    } else {
      EXPECT_NE(c, '\n') << "raw newline in a label value";
      out += c;
    }
  }
  EXPECT_LT(*i, text.size()) << "unterminated label value";
  ++*i;  // the closing quote
  return out;
}

std::string unescape_help(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ++i;
      out += text[i] == 'n' ? '\n' : text[i];
    } else {
      out += text[i];
    }
  }
  return out;
}

void parse_sample(const std::string& line, Scrape* scrape) {
  size_t i = line.find_first_of("{ ");
  std::string key = line.substr(0, i);
  if (line[i] == '{') {
    key += '{';
    ++i;
    while (line.at(i) != '}') {
      size_t eq = line.find('=', i);
      key += line.substr(i, eq - i) + "=";
      EXPECT_EQ(line.at(eq + 1), '"') << line;
      i = eq + 2;
      key += read_quoted(line, &i);
      if (line.at(i) == ',') {
        key += ',';
        ++i;
      }
    }
    key += '}';
    ++i;
  }
  EXPECT_EQ(line.at(i), ' ') << line;
  std::string value = line.substr(i + 1);
  double v = value == "+Inf" ? INFINITY : value == "-Inf" ? -INFINITY : std::stod(value);
  scrape->samples.emplace_back(key, v);
}

Scrape parse(const std::string& text) {
  Scrape scrape;
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      size_t space = line.find(' ', 7);
      scrape.help[line.substr(7, space - 7)] = unescape_help(line.substr(space + 1));
    } else if (line.rfind("# TYPE ", 0) == 0) {
      size_t space = line.find(' ', 7);
      std::string name = line.substr(7, space - 7);
      scrape.families.push_back(name);
      scrape.type[name] = line.substr(space + 1);
    } else {
      parse_sample(line, &scrape);
    }
  }
  return scrape;
}

TEST(MetricsTest, CountersByLabelInSortedOrder) {
  MetricsRegistry registry;
  CounterFamily& runs =
      registry.counter("fw_runs_total", "Runs finished.", {"workflow", "outcome"});
  runs.inc({"etl", "failed"});
  runs.inc({"backup", "completed"}, 2.5);
  runs.inc({"etl", "completed"});
  runs.inc({"etl", "completed"}, 2);
  Scrape s = parse(registry.render());
  EXPECT_THAT(s.families, ElementsAre("fw_runs_total"));
  EXPECT_EQ(s.help["fw_runs_total"], "Runs finished.");
  EXPECT_EQ(s.type["fw_runs_total"], "counter");
  EXPECT_THAT(s.keys(), ElementsAre("fw_runs_total{workflow=backup,outcome=completed}",
                                    "fw_runs_total{workflow=etl,outcome=completed}",
                                    "fw_runs_total{workflow=etl,outcome=failed}"));
  EXPECT_EQ(s.value("fw_runs_total{workflow=backup,outcome=completed}"), 2.5);
  EXPECT_EQ(s.value("fw_runs_total{workflow=etl,outcome=completed}"), 3);
  EXPECT_EQ(s.value("fw_runs_total{workflow=etl,outcome=failed}"), 1);
}

TEST(MetricsTest, ExactTextOfAnUnlabelledCounterAndGauge) {
  MetricsRegistry registry;
  registry.counter("fw_requests_total", "HTTP requests.", {});
  registry.gauge("fw_active_runs", "Runs in progress.", [] { return 2.0; });
  EXPECT_EQ(registry.render(),
            "# HELP fw_requests_total HTTP requests.\n"
            "# TYPE fw_requests_total counter\n"
            "fw_requests_total 0\n"
            "# HELP fw_active_runs Runs in progress.\n"
            "# TYPE fw_active_runs gauge\n"
            "fw_active_runs 2\n");
}

TEST(MetricsTest, FamiliesInRegistrationOrderAndGaugesReadAtRenderTime) {
  MetricsRegistry registry;
  double queued = 1;
  registry.gauge("fw_z_queued", "Queued runs.", [&] { return queued; });
  registry.counter("fw_a_total", "A.", {"x"});
  registry.gauge("fw_build_info", "Build.", {"version", "compiler"}, [] {
    return MetricsRegistry::GaugeSamples{{{"1.2.0", "gcc"}, 1}, {{"1.0.0", "clang"}, 1}};
  });
  queued = 7;
  Scrape s = parse(registry.render());
  EXPECT_THAT(s.families, ElementsAre("fw_z_queued", "fw_a_total", "fw_build_info"));
  EXPECT_EQ(s.type["fw_build_info"], "gauge");
  EXPECT_EQ(s.value("fw_z_queued"), 7);
  EXPECT_THAT(s.keys(), ElementsAre("fw_z_queued", "fw_build_info{version=1.0.0,compiler=clang}",
                                    "fw_build_info{version=1.2.0,compiler=gcc}"));
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry registry;
  std::string odd = "C:\\dir \"quoted\"\nsecond line";
  registry.counter("fw_odd_total", "Help with \\ and\nnewline and \"quotes\".", {"path"})
      .inc({odd});
  std::string text = registry.render();
  EXPECT_THAT(text,
              ::testing::HasSubstr(R"(fw_odd_total{path="C:\\dir \"quoted\"\nsecond line"} 1)"));
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "# HELP fw_odd_total Help with \\\\ and\\nnewline and \"quotes\".\n"));
  Scrape s = parse(text);
  EXPECT_EQ(s.value("fw_odd_total{path=" + odd + "}"), 1);
  EXPECT_EQ(s.help["fw_odd_total"], "Help with \\ and\nnewline and \"quotes\".");
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  HistogramFamily& h =
      registry.histogram("fw_task_seconds", "Task durations.", {"task"}, {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 3.0, 3.0, 100.0}) h.observe({"load"}, v);
  h.observe({"extract"}, 2);
  Scrape s = parse(registry.render());
  EXPECT_EQ(s.type["fw_task_seconds"], "histogram");
  EXPECT_THAT(
      s.keys(),
      ElementsAre(
          "fw_task_seconds_bucket{task=extract,le=0.1}",
          "fw_task_seconds_bucket{task=extract,le=1}", "fw_task_seconds_bucket{task=extract,le=10}",
          "fw_task_seconds_bucket{task=extract,le=+Inf}", "fw_task_seconds_sum{task=extract}",
          "fw_task_seconds_count{task=extract}", "fw_task_seconds_bucket{task=load,le=0.1}",
          "fw_task_seconds_bucket{task=load,le=1}", "fw_task_seconds_bucket{task=load,le=10}",
          "fw_task_seconds_bucket{task=load,le=+Inf}", "fw_task_seconds_sum{task=load}",
          "fw_task_seconds_count{task=load}"));
  EXPECT_EQ(s.value("fw_task_seconds_bucket{task=load,le=0.1}"), 2);  // le is inclusive
  EXPECT_EQ(s.value("fw_task_seconds_bucket{task=load,le=1}"), 3);
  EXPECT_EQ(s.value("fw_task_seconds_bucket{task=load,le=10}"), 5);
  EXPECT_EQ(s.value("fw_task_seconds_bucket{task=load,le=+Inf}"), 6);
  EXPECT_DOUBLE_EQ(s.value("fw_task_seconds_sum{task=load}"), 106.65);
  EXPECT_EQ(s.value("fw_task_seconds_count{task=load}"), 6);
  EXPECT_EQ(s.value("fw_task_seconds_bucket{task=extract,le=1}"), 0);
  EXPECT_EQ(s.value("fw_task_seconds_bucket{task=extract,le=10}"), 1);
}

TEST(MetricsTest, UnlabelledHistogramStartsAtZero) {
  MetricsRegistry registry;
  registry.histogram("fw_wait_seconds", "Waits.", {}, {1, INFINITY});
  EXPECT_EQ(registry.render(),
            "# HELP fw_wait_seconds Waits.\n"
            "# TYPE fw_wait_seconds histogram\n"
            "fw_wait_seconds_bucket{le=\"1\"} 0\n"
            "fw_wait_seconds_bucket{le=\"+Inf\"} 0\n"
            "fw_wait_seconds_sum 0\n"
            "fw_wait_seconds_count 0\n");
}

TEST(MetricsTest, MisuseThrows) {
  MetricsRegistry registry;
  CounterFamily& c = registry.counter("fw_c_total", "C.", {"a"});
  EXPECT_THROW(c.inc({}), std::invalid_argument);
  EXPECT_THROW(c.inc({"x", "y"}), std::invalid_argument);
  EXPECT_THROW(c.inc({"x"}, -1), std::invalid_argument);
  EXPECT_THROW(c.inc({"x"}, NAN), std::invalid_argument);
  EXPECT_THROW(registry.counter("fw_c_total", "again", {}), std::invalid_argument);
  EXPECT_THROW(registry.counter("1bad", "", {}), std::invalid_argument);
  EXPECT_THROW(registry.counter("fw-bad", "", {}), std::invalid_argument);
  EXPECT_THROW(registry.counter("fw_x", "", {"a:b"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("fw_x", "", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("fw_x", "", {"a", "a"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("fw_h", "", {"le"}, {1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("fw_h", "", {}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("fw_h", "", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("fw_h", "", {}, {NAN}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("fw_h", "", {"a"}, {1}).observe({}, 1), std::invalid_argument);
  registry.counter("fw:recorded:rule", "colons are allowed in metric names", {});
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry registry;
  CounterFamily& c = registry.counter("fw_events_total", "Events.", {"kind"});
  HistogramFamily& h = registry.histogram("fw_sizes", "Sizes.", {}, {5});
  constexpr int kThreads = 6, kPerThread = 20000;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done) parse(registry.render());  // renders while others write
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        c.inc({t % 2 == 0 ? "even" : "odd"});
        h.observe({}, i % 10);
      }
    });
  }
  for (std::thread& w : writers) w.join();
  done = true;
  scraper.join();
  Scrape s = parse(registry.render());
  EXPECT_EQ(s.value("fw_events_total{kind=even}"), kThreads / 2 * kPerThread);
  EXPECT_EQ(s.value("fw_events_total{kind=odd}"), kThreads / 2 * kPerThread);
  EXPECT_EQ(s.value("fw_sizes_count"), kThreads * kPerThread);
  EXPECT_EQ(s.value("fw_sizes_bucket{le=5}"), kThreads * kPerThread * 6 / 10);
  EXPECT_EQ(s.value("fw_sizes_sum"), kThreads * 45.0 * (kPerThread / 10));
}

}  // namespace
}  // namespace flowweaver
