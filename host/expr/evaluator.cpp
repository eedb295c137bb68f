#include "expr/evaluator.h"

#include "expr/expr_error.h"
#include "expr/value_type.h"

namespace flowweaver::expr {
namespace {

using Json = nlohmann::json;

// The value and its type, as a message shows it: "text ('abc')".
std::string shown(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return describe(type_of(value)) + " (" + text + ")";
}

Json walk(const Json* value, const std::vector<std::string>& path) {
  for (const std::string& step : path) {
    if (value == nullptr) return nullptr;
    if (value->is_object()) {
      auto it = value->find(step);
      value = it == value->end() ? nullptr : &*it;
    } else if (value->is_array() && !step.empty() &&
               step.find_first_not_of("0123456789") == std::string::npos && step.size() < 10 &&
               std::stoul(step) < value->size()) {
      value = &(*value)[std::stoul(step)];
    } else {
      return nullptr;
    }
  }
  return value == nullptr ? Json(nullptr) : *value;
}

class Evaluator {
 public:
  explicit Evaluator(const EvalScope& scope) : scope_(scope) {}

  Json value(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kLiteral:
        return e.literal;
      case Expr::Kind::kReference:
        return reference(e.reference);
      case Expr::Kind::kNot:
        return !as_condition(value(*e.operands[0]), e.operands[0]->offset, "'!'");
      case Expr::Kind::kBinary:
        return binary(e);
      case Expr::Kind::kCall:
        return call(e);
    }
    return nullptr;
  }

 private:
  Json reference(const ExprReference& ref) {
    switch (ref.kind) {
      case ExprReference::Kind::kRunId:
        return scope_.run_id;
      case ExprReference::Kind::kParam: {
        if (scope_.params == nullptr || !scope_.params->contains(ref.name)) return nullptr;
        return walk(&(*scope_.params)[ref.name], ref.path);
      }
      case ExprReference::Kind::kTaskOutput:
        return walk(scope_.task_output ? scope_.task_output(ref.name) : nullptr, ref.path);
      case ExprReference::Kind::kTaskStatus: {
        std::optional<std::string> status =
            scope_.task_status ? scope_.task_status(ref.name) : std::nullopt;
        return status ? Json(*status) : Json(nullptr);
      }
    }
    return nullptr;
  }

  Json binary(const Expr& e) {
    const Expr& left = *e.operands[0];
    const Expr& right = *e.operands[1];
    std::string op = "'" + std::string(spelling(e.op)) + "'";
    switch (e.op) {
      case BinaryOp::kAnd:
        return as_condition(value(left), left.offset, op) &&
               as_condition(value(right), right.offset, op);
      case BinaryOp::kOr:
        return as_condition(value(left), left.offset, op) ||
               as_condition(value(right), right.offset, op);
      case BinaryOp::kEqual:
        return value(left) == value(right);
      case BinaryOp::kNotEqual:
        return value(left) != value(right);
      default:
        return order(e, value(left), value(right));
    }
  }

  static bool order(const Expr& e, const Json& a, const Json& b) {
    bool numbers = a.is_number() && b.is_number();
    if (!numbers && !(a.is_string() && b.is_string())) {
      throw ExprError(e.op_offset, "'" + std::string(spelling(e.op)) + "' cannot order " +
                                       shown(a) + " against " + shown(b));
    }
    // nlohmann's operators compare numbers across integer and floating point, texts by bytes.
    switch (e.op) {
      case BinaryOp::kLess:
        return a < b;
      case BinaryOp::kLessEqual:
        return a <= b;
      case BinaryOp::kGreater:
        return a > b;
      default:
        return a >= b;
    }
  }

  Json call(const Expr& e) {
    std::vector<Json> args;
    for (const auto& operand : e.operands) args.push_back(value(*operand));
    auto wrong = [&](size_t i, const std::string& wanted) {
      return ExprError(e.operands[i]->offset,
                       e.function + "() takes " + wanted + ", not " + shown(args[i]));
    };
    if (e.function == "len") {
      if (args[0].is_string()) return args[0].get_ref<const std::string&>().size();
      if (args[0].is_array() || args[0].is_object()) return args[0].size();
      throw wrong(0, "text, a list or an object");
    }
    if (e.function == "contains") {
      if (args[0].is_array()) {
        for (const Json& item : args[0]) {
          if (item == args[1]) return true;
        }
        return false;
      }
      if (!args[0].is_string()) throw wrong(0, "text or a list");
      if (!args[1].is_string()) throw wrong(1, "text to look for in text");
      return args[0].get_ref<const std::string&>().find(args[1].get_ref<const std::string&>()) !=
             std::string::npos;
    }
    for (size_t i = 0; i < 2; ++i) {
      if (!args[i].is_string()) throw wrong(i, "text");
    }
    const std::string& text = args[0].get_ref<const std::string&>();
    const std::string& part = args[1].get_ref<const std::string&>();
    return e.function == "starts_with" ? text.starts_with(part) : text.ends_with(part);
  }

  const EvalScope& scope_;
};

}  // namespace

bool as_condition(const Json& value, size_t offset, const std::string& what) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_null()) return false;
  throw ExprError(offset, what + " takes true or false, not " + shown(value));
}

Json evaluate(const Expr& expr, const EvalScope& scope) { return Evaluator(scope).value(expr); }

}  // namespace flowweaver::expr
