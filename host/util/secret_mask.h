// Hides secret values in text before it is stored, logged or served: every occurrence of a
// value becomes "***", as GitHub Actions masks its secrets. Besides each value it hides the
// value's JSON-escaped form (a value with `"`, `\` or a line break is written so inside JSON
// text such as a parameter dumped into an error) and each line of a multi-line value (a PEM
// key printed line by line), lines shorter than kMinLineLength excepted: masking every "-" or
// "}" in a log would hide more than it protects.
//
// Immutable once built, so one mask is shared by every thread of a run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flowweaver {

class SecretMask {
 public:
  static constexpr std::string_view kReplacement = "***";
  static constexpr size_t kMinLineLength = 4;

  SecretMask() = default;
  // Empty values are ignored: they would match everywhere.
  explicit SecretMask(const std::vector<std::string>& values);

  bool empty() const { return patterns_.empty(); }

  // `text` with every occurrence of every pattern replaced, longest patterns first, so a value
  // that contains another is hidden whole.
  std::string mask(std::string_view text) const;

  // For JSON text (a task's output): masks inside each decoded string, key and number and
  // encodes again, so the result stays valid JSON and an escaped form (`\u0061`) cannot slip
  // through. Text with no escapes and no secret in it is returned as it is, unparsed.
  // Text that is not JSON is masked as text. Should a value still show in the encoded text
  // (one that spans a string's closing quote, say), the whole output becomes "***".
  std::string mask_json(std::string_view json_text) const;

  // True if `text` holds any of the patterns.
  bool reveals(std::string_view text) const;

 private:
  std::vector<std::string> patterns_;  // longest first
};

}  // namespace flowweaver
