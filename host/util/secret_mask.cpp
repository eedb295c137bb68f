#include "util/secret_mask.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace flowweaver {
namespace {

// The text between the quotes of `value` encoded as a JSON string.
std::string json_escaped(const std::string& value) {
  std::string quoted =
      nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

void add_lines(const std::string& value, std::vector<std::string>* patterns) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find('\n', start);
    if (end == std::string::npos) end = value.size();
    std::string line = value.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() >= SecretMask::kMinLineLength) patterns->push_back(std::move(line));
    start = end + 1;
  }
}

nlohmann::json mask_value(const nlohmann::json& value, const SecretMask& mask) {
  if (value.is_string()) return mask.mask(value.get_ref<const std::string&>());
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[mask.mask(it.key())] = mask_value(it.value(), mask);
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const nlohmann::json& item : value) out.push_back(mask_value(item, mask));
    return out;
  }
  // A number or a literal that spells a secret ("12345") is hidden as a string.
  std::string text = value.dump();
  return mask.reveals(text) ? nlohmann::json(mask.mask(text)) : value;
}

}  // namespace

SecretMask::SecretMask(const std::vector<std::string>& values) {
  for (const std::string& value : values) {
    if (value.empty()) continue;
    patterns_.push_back(value);
    std::string escaped = json_escaped(value);
    if (escaped != value) patterns_.push_back(std::move(escaped));
    if (value.find('\n') != std::string::npos) add_lines(value, &patterns_);
  }
  std::sort(patterns_.begin(), patterns_.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  patterns_.erase(std::unique(patterns_.begin(), patterns_.end()), patterns_.end());
}

std::string SecretMask::mask(std::string_view text) const {
  std::string out(text);
  for (const std::string& pattern : patterns_) {
    for (size_t at = out.find(pattern); at != std::string::npos;
         at = out.find(pattern, at + kReplacement.size())) {
      out.replace(at, pattern.size(), kReplacement);
    }
  }
  return out;
}

bool SecretMask::reveals(std::string_view text) const {
  return std::any_of(patterns_.begin(), patterns_.end(), [&](const std::string& pattern) {
    return text.find(pattern) != std::string_view::npos;
  });
}

std::string SecretMask::mask_json(std::string_view json_text) const {
  // Without escapes every decoded string is a piece of the text: nothing to decode then.
  bool has_escapes = json_text.find('\\') != std::string_view::npos;
  if (empty() || (!has_escapes && !reveals(json_text))) return std::string(json_text);
  nlohmann::json parsed = nlohmann::json::parse(json_text, nullptr, false);
  if (parsed.is_discarded()) return mask(json_text);
  std::string out =
      mask_value(parsed, *this).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reveals(out) ? nlohmann::json(std::string(kReplacement)).dump() : out;
}

}  // namespace flowweaver
