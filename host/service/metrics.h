// A small thread-safe Prometheus metrics registry, rendered in the text exposition format 0.0.4
// (what GET /metrics serves).
//
//   MetricsRegistry registry;
//   CounterFamily& runs = registry.counter("flowweaver_runs_total", "Runs finished.",
//                                          {"workflow", "outcome"});
//   runs.inc({"etl", "completed"});
//   registry.gauge("flowweaver_active_runs", "Runs in progress.", [&] { return active(); });
//   std::string text = registry.render();
//
// Families render in registration order, each with # HELP and # TYPE, its series sorted by label
// values. Misuse (an invalid or repeated name, the wrong number of label values, a negative
// counter increment, unsorted buckets) is a programming error and throws std::invalid_argument.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace flowweaver {

// What the families have in common: a name, help text, label names and the header lines.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  // Appends the # HELP and # TYPE lines and every sample line.
  void render(std::string* out) const;

 protected:
  MetricFamily(std::string name, std::string help, std::string type,
               std::vector<std::string> label_names);
  virtual void render_samples(std::string* out) const = 0;
  // Throws unless there is one value per label name.
  void check_label_values(const std::vector<std::string>& values) const;
  // `name{a="x",b="y"} value`, with `extra` (e.g. `le="0.5"`) as the last label if given.
  void append_sample(std::string* out, const std::string& name,
                     const std::vector<std::string>& label_values, double value,
                     const std::string& extra = "") const;

  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  std::string name_;
  std::string help_;
  std::string type_;
  std::vector<std::string> label_names_;
};

// Monotonic counters, one per combination of label values.
class CounterFamily : public MetricFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);

  // Adds `by` (>= 0) to the series with these label values, one per label name in order.
  void inc(const std::vector<std::string>& label_values, double by = 1);

 private:
  void render_samples(std::string* out) const override;

  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, double> values_;
};

// Distributions over fixed buckets; each series renders cumulative `_bucket{le=...}` counts up
// to `+Inf`, then `_sum` and `_count`.
class HistogramFamily : public MetricFamily {
 public:
  // `upper_bounds` must increase strictly; `+Inf` is always added as the last bucket.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> upper_bounds);

  // Counts `value` in the first bucket whose upper bound is >= it (NaN only in `+Inf`).
  void observe(const std::vector<std::string>& label_values, double value);

 private:
  struct Series {
    std::vector<uint64_t> bucket_counts;  // not cumulative; the last is +Inf
    double sum = 0;
    uint64_t count = 0;
  };

  void render_samples(std::string* out) const override;

  std::vector<double> upper_bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, Series> series_;
};

class MetricsRegistry {
 public:
  // A labelled gauge's current series: label values (one per label name) and the value.
  using GaugeSamples = std::vector<std::pair<std::vector<std::string>, double>>;

  MetricsRegistry();
  ~MetricsRegistry();

  // The returned families live as long as the registry. An unlabelled family renders 0 until
  // its first update; a labelled one renders only the series that have been updated.
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> labels);
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> labels,
                             std::vector<double> buckets);

  // Gauges are read at render time from `value`/`values`, called on the rendering thread
  // without any registry lock held (so they may take their own locks, but must be thread-safe).
  void gauge(std::string name, std::string help, std::function<double()> value);
  void gauge(std::string name, std::string help, std::vector<std::string> labels,
             std::function<GaugeSamples()> values);

  // A counter kept elsewhere (an atomic of its owner), read at render time like a gauge.
  void counter_reading(std::string name, std::string help, std::function<double()> value);

  // The whole registry in the text exposition format 0.0.4.
  std::string render() const;

 private:
  template <typename Family, typename... Args>
  Family& add(Args&&... args);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

}  // namespace flowweaver
