// Where a byte of an `if:` expression is in the manifest, so that an error inside the
// expression is reported at its own file:line:column.
#pragma once

#include <cstddef>
#include <string>

#include "expr/expr_error.h"
#include "manifest/diagnostic.h"
#include "manifest/manifest.h"

namespace flowweaver {

struct ConditionPosition {
  SourceLocation location;
  // False for a value over several lines (folded, block or quoted across lines): YAML has
  // joined its lines, so `location` is the value's start.
  bool exact = true;
};

// The position of byte `offset` of `condition.source`. Quotes and the escapes written
// inside them ('' in single quotes; \" and \\ in double quotes) are counted.
ConditionPosition condition_position(const TaskCondition& condition, size_t offset);

// Reports `error` as "task 'NAME': `if`: MESSAGE" at its position, adding which character of
// the expression it is when the position is not exact.
void report_condition_error(const std::string& task_name, const TaskCondition& condition,
                            const expr::ExprError& error, DiagnosticList* diagnostics);

}  // namespace flowweaver
