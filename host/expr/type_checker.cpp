#include "expr/type_checker.h"

#include <algorithm>

#include "util/suggest.h"

namespace flowweaver::expr {
namespace {

bool is_one_of(ValueType t, std::initializer_list<ValueType> allowed) {
  return t == ValueType::kDynamic || std::find(allowed.begin(), allowed.end(), t) != allowed.end();
}

// Walks the tree once; a subtree with an error reads as dynamic, so one mistake is reported once.
class Checker {
 public:
  explicit Checker(const TypeScope& scope) : scope_(scope) {}

  std::vector<ExprError> run(const Expr& root) {
    ValueType t = type(root);
    if (!is_one_of(t, {ValueType::kBoolean, ValueType::kNull})) {
      error(root.offset, "a condition must be true or false, but this expression gives " +
                             describe(t) + ": compare it (==, <, ...) or call a function");
    }
    std::stable_sort(errors_.begin(), errors_.end(), [](const ExprError& a, const ExprError& b) {
      return a.offset() < b.offset();
    });
    return std::move(errors_);
  }

 private:
  void error(size_t offset, const std::string& message) { errors_.emplace_back(offset, message); }

  ValueType type(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return type_of(e.literal);
      case Expr::Kind::kReference:
        return reference(e.reference);
      case Expr::Kind::kNot:
        return logical_not(e);
      case Expr::Kind::kBinary:
        return binary(e);
      case Expr::Kind::kCall:
        return call(e);
    }
    return ValueType::kDynamic;
  }

  ValueType reference(const ExprReference& ref) {
    switch (ref.kind) {
      case ExprReference::Kind::kRunId:
        return ValueType::kString;
      case ExprReference::Kind::kParam: {
        std::optional<ValueType> t = scope_.param_type(ref.name);
        if (!t) {
          error(ref.name_offset,
                "no param '" + ref.name + "'" + did_you_mean(ref.name, scope_.param_names) +
                    (scope_.param_names.empty() ? "; the manifest declares no `params`"
                                                : "; params: " + join(scope_.param_names)));
          return ValueType::kDynamic;
        }
        if (ref.path.empty()) return *t;
        if (!is_one_of(*t, {ValueType::kObject, ValueType::kArray})) {
          error(ref.name_offset, "params." + ref.name + " is " + describe(*t) +
                                     ": it has no parts to write ." + ref.path[0] + " after");
        }
        return ValueType::kDynamic;
      }
      case ExprReference::Kind::kTaskOutput:
      case ExprReference::Kind::kTaskStatus: {
        std::string problem = scope_.task_problem(ref.name);
        if (!problem.empty()) error(ref.name_offset, problem);
        return ref.kind == ExprReference::Kind::kTaskStatus ? ValueType::kString
                                                            : ValueType::kDynamic;
      }
    }
    return ValueType::kDynamic;
  }

  // `&&`, `||` and `!` take booleans; null reads as false.
  void expect_boolean(const Expr& operand, ValueType t, const std::string& op) {
    if (is_one_of(t, {ValueType::kBoolean, ValueType::kNull})) return;
    error(operand.offset, "'" + op + "' takes true or false, but this is " + describe(t) +
                              ": compare it first (e.g. == 'text')");
  }

  ValueType logical_not(const Expr& e) {
    expect_boolean(*e.operands[0], type(*e.operands[0]), "!");
    return ValueType::kBoolean;
  }

  ValueType binary(const Expr& e) {
    const Expr& left = *e.operands[0];
    const Expr& right = *e.operands[1];
    ValueType lt = type(left);
    ValueType rt = type(right);
    switch (e.op) {
      case BinaryOp::kAnd:
      case BinaryOp::kOr:
        expect_boolean(left, lt, spelling(e.op));
        expect_boolean(right, rt, spelling(e.op));
        break;
      case BinaryOp::kEqual:
      case BinaryOp::kNotEqual:
        check_equality(e, lt, rt);
        break;
      default:
        check_ordering(e, lt, rt);
        break;
    }
    return ValueType::kBoolean;
  }

  void check_equality(const Expr& e, ValueType lt, ValueType rt) {
    const Expr& left = *e.operands[0];
    const Expr& right = *e.operands[1];
    check_status_literal(left, right);
    check_status_literal(right, left);
    bool known = lt != ValueType::kDynamic && rt != ValueType::kDynamic && lt != ValueType::kNull &&
                 rt != ValueType::kNull;
    if (known && lt != rt) {
      error(e.op_offset, "'" + std::string(spelling(e.op)) + "' compares " + describe(lt) +
                             " with " + describe(rt) + ", which are never equal");
    }
  }

  // tasks.T.status == 'DONE' can never hold: say so now.
  void check_status_literal(const Expr& status, const Expr& other) {
    if (status.kind != Expr::Kind::kReference ||
        status.reference.kind != ExprReference::Kind::kTaskStatus ||
        other.kind != Expr::Kind::kLiteral || !other.literal.is_string()) {
      return;
    }
    const std::string& text = other.literal.get_ref<const std::string&>();
    const std::vector<std::string>& known = condition_statuses();
    if (std::find(known.begin(), known.end(), text) != known.end()) return;
    error(other.offset, "'" + text + "' is not a status a task can have here" +
                            did_you_mean(text, known) + ": it is one of " + join(known));
  }

  void check_ordering(const Expr& e, ValueType lt, ValueType rt) {
    for (auto [operand, t] : {std::pair{e.operands[0].get(), lt}, {e.operands[1].get(), rt}}) {
      if (!is_one_of(t, {ValueType::kNumber, ValueType::kString})) {
        error(operand->offset,
              "'" + std::string(spelling(e.op)) + "' orders numbers or texts, not " + describe(t));
        return;
      }
    }
    if (lt != ValueType::kDynamic && rt != ValueType::kDynamic && lt != rt) {
      error(e.op_offset, "'" + std::string(spelling(e.op)) + "' cannot order " + describe(lt) +
                             " against " + describe(rt));
    }
  }

  ValueType call(const Expr& e) {
    std::vector<ValueType> args;
    for (const auto& operand : e.operands) args.push_back(type(*operand));
    auto expect = [&](size_t i, std::initializer_list<ValueType> allowed, const std::string& what) {
      if (is_one_of(args[i], allowed)) return true;
      error(e.operands[i]->offset,
            e.function + "() takes " + what + " here, not " + describe(args[i]));
      return false;
    };
    if (e.function == "len") {
      expect(0, {ValueType::kString, ValueType::kArray, ValueType::kObject},
             "text, a list or an object");
      return ValueType::kNumber;
    }
    if (e.function == "contains") {
      if (expect(0, {ValueType::kString, ValueType::kArray}, "text or a list") &&
          args[0] == ValueType::kString) {
        expect(1, {ValueType::kString}, "text to look for in text");
      }
      return ValueType::kBoolean;
    }
    // starts_with, ends_with
    expect(0, {ValueType::kString}, "text");
    expect(1, {ValueType::kString}, "text");
    return ValueType::kBoolean;
  }

  const TypeScope& scope_;
  std::vector<ExprError> errors_;
};

}  // namespace

const std::vector<std::string>& condition_statuses() {
  static const std::vector<std::string> kStatuses = {"COMPLETED", "FAILED", "SKIPPED"};
  return kStatuses;
}

std::vector<ExprError> check_condition_types(const Expr& expr, const TypeScope& scope) {
  return Checker(scope).run(expr);
}

}  // namespace flowweaver::expr
