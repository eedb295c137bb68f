// The syntax tree of an expression, as parser.h builds it. Immutable once built; shared
// between the manifest that holds it and the runs that evaluate it.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flowweaver::expr {

enum class BinaryOp { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual, kAnd, kOr };

// "==", "&&", ...
const char* spelling(BinaryOp op);

// What a reference names. The parser accepts only these shapes.
struct ExprReference {
  enum class Kind {
    kParam,       // params.NAME[.PATH]
    kTaskOutput,  // tasks.NAME.output[.PATH]
    kTaskStatus,  // tasks.NAME.status
    kRunId,       // run.id
  };
  Kind kind = Kind::kParam;
  std::string name;               // the param or task; empty for run.id
  size_t name_offset = 0;         // where `name` is written
  std::vector<std::string> path;  // steps into the value: keys, or list indexes as digits
  std::string source;             // as written, for messages: "tasks.check.output.changed"
};

struct Expr {
  enum class Kind { kLiteral, kReference, kNot, kBinary, kCall };
  Kind kind = Kind::kLiteral;
  size_t offset = 0;     // where it starts in the source
  size_t op_offset = 0;  // kNot, kBinary: where the operator is; kCall: the function's name
  nlohmann::json literal;
  ExprReference reference;
  BinaryOp op = BinaryOp::kEqual;
  std::string function;
  std::vector<std::unique_ptr<const Expr>> operands;  // kNot: 1; kBinary: 2; kCall: arguments
};

}  // namespace flowweaver::expr
