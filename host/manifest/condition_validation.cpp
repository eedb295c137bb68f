#include "manifest/condition_validation.h"

#include "expr/type_checker.h"
#include "manifest/condition_position.h"
#include "util/suggest.h"

namespace flowweaver {
namespace {

// Answers "is u upstream of t?" by walking t's upstream tasks, once per task that asks.
class Ancestry {
 public:
  explicit Ancestry(const Dag& dag) : dag_(dag), mark_(dag.size(), 0) {}

  bool is_upstream(uint32_t u, uint32_t t) {
    if (walked_for_ != t) walk(t);
    return mark_[u] == stamp_;
  }

 private:
  void walk(uint32_t t) {
    walked_for_ = t;
    ++stamp_;
    std::vector<uint32_t> stack(dag_.upstream(t).begin(), dag_.upstream(t).end());
    while (!stack.empty()) {
      uint32_t at = stack.back();
      stack.pop_back();
      if (mark_[at] == stamp_) continue;  // also ends cycles, which are reported elsewhere
      mark_[at] = stamp_;
      for (uint32_t u : dag_.upstream(at)) stack.push_back(u);
    }
  }

  const Dag& dag_;
  std::vector<uint32_t> mark_;  // == stamp_: upstream of walked_for_
  uint32_t stamp_ = 0;
  uint32_t walked_for_ = TaskIndex::kNotFound;
};

class ConditionChecker {
 public:
  ConditionChecker(const Manifest& m, const TaskIndex& index, const Dag& dag,
                   DiagnosticList* diagnostics)
      : m_(m), index_(index), ancestry_(dag), diagnostics_(diagnostics) {
    for (const WorkflowParam& p : m.param_decls) param_names_.push_back(p.name);
  }

  void check(uint32_t t) {
    const TaskSpec& task = m_.tasks[t];
    if (!task.condition || !task.condition->expression) return;
    expr::TypeScope scope;
    scope.param_type = [&](const std::string& name) { return condition_param_type(m_, name); };
    scope.param_names = param_names_;
    scope.task_problem = [&](const std::string& name) { return task_problem(t, name); };
    for (const expr::ExprError& e :
         expr::check_condition_types(*task.condition->expression, scope)) {
      report_condition_error(task.name, *task.condition, e, diagnostics_);
    }
  }

 private:
  std::string task_problem(uint32_t t, const std::string& name) {
    const TaskSpec& task = m_.tasks[t];
    uint32_t u = index_.find(name);
    if (u == TaskIndex::kNotFound) {
      if (task_names_.empty()) {
        for (const TaskSpec& s : m_.tasks) task_names_.push_back(s.name);
      }
      return "no task '" + name + "'" + did_you_mean(name, task_names_);
    }
    if (u == t) return "a task's condition cannot read the task itself: it has not run yet";
    bool dag_task_for_handler = task.role != TaskRole::kTask && m_.tasks[u].role == TaskRole::kTask;
    if (dag_task_for_handler || ancestry_.is_upstream(u, t)) return "";
    return "task '" + name + "' is not upstream of '" + task.name +
           "', so it may not have run when the condition is evaluated: add it to depends_on "
           "(directly or through another task)";
  }

  const Manifest& m_;
  const TaskIndex& index_;
  Ancestry ancestry_;
  DiagnosticList* diagnostics_;
  std::vector<std::string> param_names_;
  std::vector<std::string> task_names_;  // built on first use
};

}  // namespace

std::optional<expr::ValueType> condition_param_type(const Manifest& manifest,
                                                    const std::string& name) {
  // A run's value always has the declared type (run_params.h), whether given or a default.
  for (const WorkflowParam& p : manifest.param_decls) {
    if (p.name != name) continue;
    switch (p.type) {
      case ValueType::kString:
        return expr::ValueType::kString;
      case ValueType::kInteger:
      case ValueType::kNumber:
        return expr::ValueType::kNumber;
      case ValueType::kBoolean:
        return expr::ValueType::kBoolean;
      case ValueType::kObject:
        return expr::ValueType::kObject;
      case ValueType::kArray:
        return expr::ValueType::kArray;
    }
  }
  return std::nullopt;
}

void check_conditions(const Manifest& manifest, const TaskIndex& index, const Dag& dag,
                      DiagnosticList* diagnostics) {
  ConditionChecker checker(manifest, index, dag, diagnostics);
  for (uint32_t t = 0; t < manifest.tasks.size(); ++t) checker.check(t);
}

}  // namespace flowweaver
