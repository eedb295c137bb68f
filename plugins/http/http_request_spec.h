// What one `http.request` call asks for, read from its `with:` parameters and checked before
// anything is sent. Every problem is the manifest's, so each one throws PermanentError.
#pragma once

#include <chrono>
#include <flowweaver/sdk.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace flowweaver {

// Which statuses count as success: single codes and whole classes ("2xx" is 200-299).
class StatusSet {
 public:
  // Reads an integer, a "Nxx" class, or an array of those; throws PermanentError otherwise.
  static StatusSet from_param(const Json& value, const std::string& who);
  bool contains(long status) const;
  // As the manifest wrote it, e.g. "2xx" or "200, 304".
  const std::string& text() const { return text_; }

 private:
  std::vector<std::pair<long, long>> ranges_;  // inclusive
  std::string text_;
};

struct HttpRequestSpec {
  std::string method;  // upper case
  std::string url;     // with `query` appended
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;  // from `body`, or `json` serialized
  std::chrono::milliseconds timeout{0};
  StatusSet expected;
  bool follow_redirects = true;
  uint64_t max_response_bytes = 0;
  std::optional<std::string> ca_file;
};

// Throws PermanentError naming the task, the parameter and what to write instead.
HttpRequestSpec read_request_spec(const Context& ctx);

}  // namespace flowweaver
