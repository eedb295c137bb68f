#include "scaffold/plugin_name.h"

#include <cctype>

namespace flowweaver {
namespace {

// Longer names are legal C but unwieldy in every `uses:`; the bound also keeps file names sane.
constexpr size_t kMaxNameLength = 64;

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The closest allowed name: lowercased, every other character made '_', a letter in front of a
// leading digit or '_'. Empty when nothing of `name` is usable.
std::string closest_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool keep = is_lower(lower) || is_digit(lower);
    if (keep) {
      out += lower;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (!out.empty() && is_digit(out.front())) out = "p" + out;
  return out.substr(0, kMaxNameLength);
}

}  // namespace

std::optional<std::string> plugin_name_problem(const std::string& name) {
  const std::string rule =
      "a plugin name is lowercase letters, digits and '_', starting with a letter";
  if (name.empty()) return "the plugin name is empty: " + rule + ", e.g. my_plugin";
  if (name.size() > kMaxNameLength) {
    return "the plugin name is " + std::to_string(name.size()) + " characters long; at most " +
           std::to_string(kMaxNameLength) + " are allowed: choose a shorter one";
  }
  bool valid = is_lower(name.front());
  for (char c : name) valid = valid && (is_lower(c) || is_digit(c) || c == '_');
  if (valid) return std::nullopt;
  std::string suggestion = closest_name(name);
  return "'" + name + "' is not a plugin name: " + rule +
         (suggestion.empty() ? ", e.g. my_plugin" : " (try '" + suggestion + "')");
}

}  // namespace flowweaver
