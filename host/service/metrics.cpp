#include "service/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace flowweaver {
namespace {

bool is_name_char(char c, bool first, bool colon_allowed) {
  bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  bool digit = c >= '0' && c <= '9';
  return letter || (!first && digit) || (colon_allowed && c == ':');
}

bool is_valid_name(const std::string& name, bool colon_allowed) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!is_name_char(name[i], i == 0, colon_allowed)) return false;
  }
  return true;
}

void check_label_names(const std::string& metric, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i];
    if (!is_valid_name(label, false) || label.rfind("__", 0) == 0) {
      throw std::invalid_argument("metric " + metric + ": invalid label name '" + label + "'");
    }
    if (std::find(labels.begin(), labels.begin() + i, label) != labels.begin() + i) {
      throw std::invalid_argument("metric " + metric + ": label '" + label + "' given twice");
    }
  }
}

// Label values escape backslash, double quote and newline; help text only the first and last.
std::string escape(const std::string& text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// Go's spelling of special values; otherwise the shortest text that reads back exactly.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, end);
}

class GaugeFamily : public MetricFamily {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names,
              std::function<MetricsRegistry::GaugeSamples()> values, std::string type = "gauge")
      : MetricFamily(std::move(name), std::move(help), std::move(type), std::move(label_names)),
        values_(std::move(values)) {}

 private:
  void render_samples(std::string* out) const override {
    MetricsRegistry::GaugeSamples samples = values_();
    std::sort(samples.begin(), samples.end());
    for (const auto& [labels, value] : samples) {
      check_label_values(labels);
      append_sample(out, name(), labels, value);
    }
  }

  std::function<MetricsRegistry::GaugeSamples()> values_;
};

}  // namespace

MetricFamily::MetricFamily(std::string name, std::string help, std::string type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(std::move(type)),
      label_names_(std::move(label_names)) {
  if (!is_valid_name(name_, true)) {
    throw std::invalid_argument("invalid metric name '" + name_ + "'");
  }
  check_label_names(name_, label_names_);
}

void MetricFamily::render(std::string* out) const {
  out->append("# HELP ").append(name_).append(" ").append(escape(help_, false)).append("\n");
  out->append("# TYPE ").append(name_).append(" ").append(type_).append("\n");
  render_samples(out);
}

void MetricFamily::check_label_values(const std::vector<std::string>& values) const {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": " + std::to_string(values.size()) +
                                " label values for " + std::to_string(label_names_.size()) +
                                " labels");
  }
}

void MetricFamily::append_sample(std::string* out, const std::string& name,
                                 const std::vector<std::string>& label_values, double value,
                                 const std::string& extra) const {
  out->append(name);
  if (!label_values.empty() || !extra.empty()) {
    out->append("{");
    for (size_t i = 0; i < label_values.size(); ++i) {
      if (i > 0) out->append(",");
      out->append(label_names_[i]).append("=\"").append(escape(label_values[i], true));
      out->append("\"");
    }
    if (!extra.empty()) out->append(label_values.empty() ? "" : ",").append(extra);
    out->append("}");
  }
  out->append(" ").append(format_value(value)).append("\n");
}

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : MetricFamily(std::move(name), std::move(help), "counter", std::move(label_names)) {
  if (this->label_names().empty()) values_[{}] = 0;
}

void CounterFamily::inc(const std::vector<std::string>& label_values, double by) {
  check_label_values(label_values);
  if (!(by >= 0)) {
    throw std::invalid_argument("counter " + name() + ": cannot add " + format_value(by));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  values_[label_values] += by;
}

void CounterFamily::render_samples(std::string* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [labels, value] : values_) append_sample(out, name(), labels, value);
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names,
                                 std::vector<double> upper_bounds)
    : MetricFamily(std::move(name), std::move(help), "histogram", std::move(label_names)),
      upper_bounds_(std::move(upper_bounds)) {
  const std::vector<std::string>& labels = this->label_names();
  if (std::find(labels.begin(), labels.end(), "le") != labels.end()) {
    throw std::invalid_argument("histogram " + this->name() + ": 'le' is reserved for buckets");
  }
  if (!upper_bounds_.empty() && std::isinf(upper_bounds_.back()) && upper_bounds_.back() > 0) {
    upper_bounds_.pop_back();
  }
  for (size_t i = 0; i < upper_bounds_.size(); ++i) {
    bool increasing = i == 0 || upper_bounds_[i] > upper_bounds_[i - 1];
    if (std::isnan(upper_bounds_[i]) || std::isinf(upper_bounds_[i]) || !increasing) {
      throw std::invalid_argument("histogram " + this->name() +
                                  ": bucket bounds must be finite and strictly increasing");
    }
  }
  if (labels.empty()) series_[{}].bucket_counts.resize(upper_bounds_.size() + 1);
}

void HistogramFamily::observe(const std::vector<std::string>& label_values, double value) {
  check_label_values(label_values);
  size_t bucket = std::isnan(value)
                      ? upper_bounds_.size()
                      : static_cast<size_t>(
                            std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) -
                            upper_bounds_.begin());
  std::lock_guard<std::mutex> lock(mutex_);
  Series& s = series_[label_values];
  if (s.bucket_counts.empty()) s.bucket_counts.resize(upper_bounds_.size() + 1);
  ++s.bucket_counts[bucket];
  s.sum += value;
  ++s.count;
}

void HistogramFamily::render_samples(std::string* out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.bucket_counts.size(); ++i) {
      cumulative += s.bucket_counts[i];
      std::string le = i < upper_bounds_.size() ? format_value(upper_bounds_[i]) : "+Inf";
      append_sample(out, name() + "_bucket", labels, static_cast<double>(cumulative),
                    "le=\"" + le + "\"");
    }
    append_sample(out, name() + "_sum", labels, s.sum);
    append_sample(out, name() + "_count", labels, static_cast<double>(s.count));
  }
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

template <typename Family, typename... Args>
Family& MetricsRegistry::add(Args&&... args) {
  auto family = std::make_unique<Family>(std::forward<Args>(args)...);
  Family& result = *family;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& existing : families_) {
    if (existing->name() == family->name()) {
      throw std::invalid_argument("metric " + family->name() + " is registered twice");
    }
  }
  families_.push_back(std::move(family));
  return result;
}

CounterFamily& MetricsRegistry::counter(std::string name, std::string help,
                                        std::vector<std::string> labels) {
  return add<CounterFamily>(std::move(name), std::move(help), std::move(labels));
}

HistogramFamily& MetricsRegistry::histogram(std::string name, std::string help,
                                            std::vector<std::string> labels,
                                            std::vector<double> buckets) {
  return add<HistogramFamily>(std::move(name), std::move(help), std::move(labels),
                              std::move(buckets));
}

void MetricsRegistry::gauge(std::string name, std::string help, std::function<double()> value) {
  auto values = [value = std::move(value)] { return GaugeSamples{{{}, value()}}; };
  add<GaugeFamily>(std::move(name), std::move(help), std::vector<std::string>{}, values);
}

void MetricsRegistry::counter_reading(std::string name, std::string help,
                                      std::function<double()> value) {
  auto values = [value = std::move(value)] { return GaugeSamples{{{}, value()}}; };
  add<GaugeFamily>(std::move(name), std::move(help), std::vector<std::string>{}, values,
                   std::string("counter"));
}

void MetricsRegistry::gauge(std::string name, std::string help, std::vector<std::string> labels,
                            std::function<GaugeSamples()> values) {
  add<GaugeFamily>(std::move(name), std::move(help), std::move(labels), std::move(values));
}

std::string MetricsRegistry::render() const {
  // Families are never removed, so the pointers stay valid after the lock is released, and
  // gauge callbacks run without it.
  std::vector<const MetricFamily*> families;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& f : families_) families.push_back(f.get());
  }
  std::string out;
  for (const MetricFamily* f : families) f->render(&out);
  return out;
}

}  // namespace flowweaver
