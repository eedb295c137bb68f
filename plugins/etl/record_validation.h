// Checks one extracted record (a JSON object of column -> value) against simple rules, and says
// in words what is wrong with it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace flowweaver::etl {

// A deliberately plain address check, not RFC 5322: exactly one '@', a non-empty local part, a
// domain of non-empty labels with at least one dot, and no whitespace or control characters.
// It catches typos and missing parts; whether the mailbox exists only a sent mail can tell.
bool is_plausible_email(std::string_view address);

struct ValidationRules {
  std::vector<std::string> required_fields;  // must be present, non-null and not blank
  std::string email_field;                   // checked with is_plausible_email; "" for none
};

// What is wrong with `record`, one sentence per problem; empty when it passes. A blank email
// is reported as missing (when required) rather than also as malformed.
std::vector<std::string> record_problems(const nlohmann::json& record,
                                         const ValidationRules& rules);

}  // namespace flowweaver::etl
