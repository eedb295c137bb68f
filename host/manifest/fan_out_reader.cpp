#include "manifest/fan_out_reader.h"

#include <algorithm>

#include "manifest/flow_names.h"
#include "manifest/manifest_reader.h"
#include "manifest/matrix_combinations.h"
#include "manifest/yaml_field_reader.h"
#include "manifest/yaml_value.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

const std::vector<std::string> kFanOutKeys = {"foreach", "matrix", "exclude", "max_parallel",
                                              "batch_size"};

// Caps that only catch mistakes: no workflow needs a million items at once or per call.
constexpr long long kMaxParallel = 1000000;
constexpr long long kMaxBatchSize = 1000000;

// Characters that would make an item's row name, `test[os=debian,version=1]`, ambiguous.
constexpr std::string_view kRowNameSeparators = ",=[]";

class FanOutReader : private YamlFieldReader {
 public:
  FanOutReader(const TaskSpec& task, DiagnosticList* diagnostics)
      : YamlFieldReader(diagnostics), task_(task), diagnostics_(diagnostics) {}

  // Nothing when the task has neither `foreach:` nor `matrix:`.
  std::shared_ptr<const FanOut> read(const YamlNode& map) {
    YamlNode foreach = map.find("foreach");
    YamlNode matrix = map.find("matrix");
    if (!foreach && !matrix) {
      refuse_without_fan_out(map);
      return nullptr;
    }
    YamlNode given = foreach ? foreach : matrix;
    std::string key = foreach ? "foreach" : "matrix";
    if (task_.role != TaskRole::kTask) {
      error(given, "`" + key + "` is not available on handlers: " + describe_task(task_) +
                       " runs once, after the DAG; give the list to a task of the DAG, or " +
                       "let the handler take the whole list in `with:`");
    }
    if (foreach && matrix) {
      error(matrix, describe_task(task_) + " has both `foreach` and `matrix`: a task has one " +
                        "of them; split it into two tasks, or make the list an axis of the matrix");
    }
    auto fan_out = std::make_shared<FanOut>();
    fan_out->location = given.location();
    if (foreach) {
      fan_out->kind = FanOut::Kind::kForEach;
      read_foreach(foreach, fan_out.get());
    } else {
      fan_out->kind = FanOut::Kind::kMatrix;
      read_matrix(matrix, fan_out.get());
    }
    read_exclude(map, fan_out.get());
    read_max_parallel(map, fan_out.get());
    read_batch_size(map, fan_out.get());
    return fan_out;
  }

 private:
  void refuse_without_fan_out(const YamlNode& map) {
    if (YamlNode n = map.find("max_parallel")) {
      error(n,
            "`max_parallel` needs `foreach` or `matrix`: it caps how many of the task's "
            "items run at once; add one, or remove `max_parallel`");
    }
    if (YamlNode n = map.find("batch_size")) {
      error(n,
            "`batch_size` needs `foreach`: it says how many items each call gets; add "
            "`foreach`, or remove `batch_size`");
    }
    if (YamlNode n = map.find("exclude")) {
      error(n,
            "`exclude` needs `matrix`: it leaves combinations of the matrix out; add "
            "`matrix`, or remove `exclude`");
    }
  }

  void read_foreach(const YamlNode& node, FanOut* fan_out) {
    if (node.is_sequence()) {
      fan_out->items = yaml_to_json(node, "", nullptr, diagnostics_);
      return;
    }
    if (node.is_scalar()) {
      Json value = resolve_scalar(scalar_view(node), diagnostics_);
      if (value.is_string()) {
        fan_out->items = std::move(value);  // one reference: the validator checks which
        return;
      }
    }
    std::string held = node.is_null() ? "it is empty" : "not " + describe_node(node);
    error(node,
          "`foreach` must be a list, e.g. [a, b], or one reference to a list, such as "
          "${tasks.list.output.lines} or ${params.regions} (" +
              held + ")");
  }

  static std::string describe_node(const YamlNode& node) {
    if (node.is_map()) return "a map";
    return "'" + std::string(node.scalar()) + "'";
  }

  void read_matrix(const YamlNode& node, FanOut* fan_out) {
    if (!node.is_map() || node.size() == 0) {
      error(node,
            "`matrix` must be a map of axes to lists of values, e.g. "
            "{os: [debian, alpine], version: [1, 2]}");
      return;
    }
    std::vector<ScalarView> keys;
    for (size_t i = 0; i < node.size(); ++i) keys.push_back(scalar_view(node.key(i)));
    check_duplicate_keys(keys, diagnostics_);
    for (size_t i = 0; i < node.size(); ++i) {
      std::optional<std::string> axis = read_string(node.key(i), "matrix axis name");
      if (!axis) continue;
      if (!is_valid_name(*axis)) {
        error(node.key(i), "matrix axis name '" + *axis +
                               "' may contain only letters, digits, '_' and '-' (it is read "
                               "as ${matrix." +
                               *axis + "})");
        continue;
      }
      bool repeated = std::any_of(fan_out->axes.begin(), fan_out->axes.end(),
                                  [&](const auto& a) { return a.first == *axis; });
      if (repeated) continue;  // reported as a duplicate key
      fan_out->axes.emplace_back(*axis, read_axis_values(*axis, node.value(i)));
    }
    size_t product = matrix_product_size(*fan_out);
    if (product > kMaxMatrixCombinations) {
      error(node, "`matrix` makes more than " + std::to_string(kMaxMatrixCombinations) +
                      " combinations, each a row of its own: use fewer values, or `foreach` " +
                      "over a list made by an upstream task");
    }
  }

  std::vector<Json> read_axis_values(const std::string& axis, const YamlNode& list) {
    std::vector<Json> values;
    if (!list.is_sequence() || list.size() == 0) {
      error(list, "matrix axis '" + axis + "' must be a non-empty list of values, e.g. " + axis +
                      ": [a, b]");
      return values;
    }
    std::vector<std::string> texts;
    for (size_t i = 0; i < list.size(); ++i) {
      YamlNode item = list.item(i);
      Json value = item.is_scalar() ? resolve_scalar(scalar_view(item), diagnostics_) : Json();
      if (value.is_null()) {
        error(item, "matrix axis '" + axis +
                        "': each value must be a string, a number or a boolean (it is named in "
                        "the item's row, e.g. " +
                        task_.name + "[" + axis + "=a])");
        continue;
      }
      std::string text = matrix_value_text(value);
      if (text.find_first_of(kRowNameSeparators) != std::string::npos) {
        error(item, "matrix axis '" + axis + "': value '" + text +
                        "' may not contain ',', '=', '[' or ']': they separate the parts of the "
                        "item's row name, " +
                        task_.name + "[" + axis + "=value,...]");
        continue;
      }
      if (std::find(texts.begin(), texts.end(), text) != texts.end()) {
        error(item, "matrix axis '" + axis + "' lists '" + text +
                        "' twice: each combination must have a name of its own; remove one");
        continue;
      }
      texts.push_back(text);
      values.push_back(std::move(value));
    }
    return values;
  }

  void read_exclude(const YamlNode& map, FanOut* fan_out) {
    YamlNode node = map.find("exclude");
    if (!node) return;
    if (fan_out->kind != FanOut::Kind::kMatrix) {
      error(node,
            "`exclude` is for `matrix` only: it leaves combinations out; to skip items of "
            "a `foreach` list, leave them out of the list");
      return;
    }
    if (!node.is_sequence()) {
      error(node,
            "`exclude` must be a list of maps naming axes and values, e.g. "
            "[{os: alpine, version: 1}]");
      return;
    }
    bool all_read = true;
    for (size_t i = 0; i < node.size(); ++i) {
      std::optional<Json> entry = read_exclude_entry(node.item(i), *fan_out);
      if (entry) {
        fan_out->exclude.push_back(std::move(*entry));
      } else {
        all_read = false;
      }
    }
    bool matrix_read =
        matrix_product_size(*fan_out) <= kMaxMatrixCombinations && !fan_out->axes.empty();
    if (all_read && matrix_read && matrix_combinations(*fan_out).empty()) {
      error(node, "`exclude` leaves no combination of the matrix, so " + describe_task(task_) +
                      " would never run: remove an entry, or the task");
    }
  }

  // Nothing (after reporting) when the entry is not a map of axes to values of theirs.
  std::optional<Json> read_exclude_entry(const YamlNode& entry, const FanOut& fan_out) {
    if (!entry.is_map() || entry.size() == 0) {
      error(entry,
            "each `exclude` entry must be a map naming at least one axis and its value, "
            "e.g. {os: alpine}");
      return std::nullopt;
    }
    std::vector<ScalarView> keys;
    for (size_t i = 0; i < entry.size(); ++i) keys.push_back(scalar_view(entry.key(i)));
    check_duplicate_keys(keys, diagnostics_);
    std::vector<std::string> axis_names;
    for (const auto& [axis, values] : fan_out.axes) axis_names.push_back(axis);
    Json combination = Json::object();
    bool ok = true;
    for (size_t i = 0; i < entry.size(); ++i) {
      std::optional<std::string> axis = read_string(entry.key(i), "exclude axis name");
      if (!axis) {
        ok = false;
        continue;
      }
      auto found = std::find_if(fan_out.axes.begin(), fan_out.axes.end(),
                                [&](const auto& a) { return a.first == *axis; });
      if (found == fan_out.axes.end()) {
        error(entry.key(i), "`exclude` names axis '" + *axis + "', which the matrix lacks" +
                                did_you_mean(*axis, axis_names) +
                                "; its axes: " + join(axis_names));
        ok = false;
        continue;
      }
      YamlNode value_node = entry.value(i);
      Json value =
          value_node.is_scalar() ? resolve_scalar(scalar_view(value_node), diagnostics_) : Json();
      if (std::find(found->second.begin(), found->second.end(), value) == found->second.end()) {
        report_unknown_value(value_node, value, *found);
        ok = false;
        continue;
      }
      combination[*axis] = std::move(value);
    }
    if (!ok) return std::nullopt;
    return combination;
  }

  void report_unknown_value(const YamlNode& node, const Json& value,
                            const std::pair<std::string, std::vector<Json>>& axis) {
    std::vector<std::string> texts;
    for (const Json& v : axis.second) texts.push_back(matrix_value_text(v));
    std::string text = value.is_null() ? std::string(node.scalar()) : matrix_value_text(value);
    std::string hint;
    // `1` and `"1"` differ: a number in the axis is not matched by a string, nor the reverse.
    auto same_text = std::find(texts.begin(), texts.end(), text);
    if (same_text != texts.end()) {
      hint = " (the axis holds " + axis.second[same_text - texts.begin()].dump() +
             ", and this is " + value.dump() + ": write it as the axis does)";
    }
    error(node, "`exclude`: '" + text + "' is not a value of matrix axis '" + axis.first + "'" +
                    hint + "; its values: " + join(texts));
  }

  void read_max_parallel(const YamlNode& map, FanOut* fan_out) {
    YamlNode node = map.find("max_parallel");
    if (!node) return;
    std::optional<long long> n = read_integer(node, "max_parallel");
    if (!n) return;
    if (*n < 1 || *n > kMaxParallel) {
      error(node, "`max_parallel` must be between 1 and " + std::to_string(kMaxParallel) +
                      " (leave it out for no cap on the items running at once)");
      return;
    }
    fan_out->max_parallel = static_cast<int>(*n);
  }

  void read_batch_size(const YamlNode& map, FanOut* fan_out) {
    YamlNode node = map.find("batch_size");
    if (!node) return;
    if (fan_out->kind != FanOut::Kind::kForEach) {
      error(node,
            "`batch_size` is for `foreach` only: a matrix task makes one call per "
            "combination; remove `batch_size`");
      return;
    }
    std::optional<long long> n = read_integer(node, "batch_size");
    if (!n) return;
    if (*n < 1 || *n > kMaxBatchSize) {
      error(node, "`batch_size` must be between 1 and " + std::to_string(kMaxBatchSize) +
                      " (leave it out for one item per call)");
      return;
    }
    fan_out->batch_size = static_cast<int>(*n);
  }

  const TaskSpec& task_;
  DiagnosticList* diagnostics_;
};

}  // namespace

const std::vector<std::string>& fan_out_keys() { return kFanOutKeys; }

void read_fan_out(const YamlNode& task_map, TaskSpec* task, DiagnosticList* diagnostics) {
  task->fan_out = FanOutReader(*task, diagnostics).read(task_map);
}

void refuse_fan_out_defaults(const YamlNode& defaults_map, DiagnosticList* diagnostics) {
  for (const std::string& key : kFanOutKeys) {
    if (YamlNode n = defaults_map.find(key)) {
      diagnostics->add(n.location(), "`" + key + "` cannot be a default: it says what one " +
                                         "task runs over; set it on each task that needs it");
    }
  }
}

}  // namespace flowweaver
