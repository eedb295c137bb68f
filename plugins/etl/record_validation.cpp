#include "record_validation.h"

namespace flowweaver::etl {
namespace {

using Json = nlohmann::json;

bool is_space_or_control(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u <= ' ' || u == 0x7f;
}

bool is_blank(const Json& value) {
  if (value.is_null()) return true;
  if (!value.is_string()) return false;
  for (char c : value.get_ref<const std::string&>()) {
    if (!is_space_or_control(c)) return false;
  }
  return true;
}

// Outside quotes (which this check does not support) these may not appear in a local part.
bool is_plausible_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  return local.find_first_of("()<>[]\\,;:\"") == std::string_view::npos;
}

// Letters, digits and inner hyphens; bytes above 0x7f pass so internationalised names do.
bool is_plausible_label(std::string_view label) {
  if (label.empty() || label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
              u == '-' || u >= 0x80;
    if (!ok) return false;
  }
  return true;
}

bool is_plausible_domain(std::string_view domain) {
  if (domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    if (!is_plausible_label(
            domain.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string as_text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

bool is_plausible_email(std::string_view address) {
  if (address.size() > 254) return false;  // the longest path SMTP carries
  for (char c : address) {
    if (is_space_or_control(c)) return false;
  }
  size_t at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  return is_plausible_local_part(address.substr(0, at)) &&
         is_plausible_domain(address.substr(at + 1));
}

std::vector<std::string> record_problems(const Json& record, const ValidationRules& rules) {
  if (!record.is_object()) {
    return {std::string("the record is not an object but ") + record.type_name()};
  }
  std::vector<std::string> problems;
  for (const std::string& field : rules.required_fields) {
    auto it = record.find(field);
    if (it == record.end() || is_blank(*it)) {
      problems.push_back("missing required field '" + field + "'");
    }
  }
  if (!rules.email_field.empty()) {
    auto it = record.find(rules.email_field);
    if (it != record.end() && !is_blank(*it) &&
        !(it->is_string() && is_plausible_email(it->get_ref<const std::string&>()))) {
      problems.push_back("malformed " + rules.email_field + " '" + as_text(*it) + "'");
    }
  }
  return problems;
}

}  // namespace flowweaver::etl
