// One HTTP exchange through libcurl: sends what an HttpRequestSpec asks for and reads the
// (last, after redirects) response, or says why there is none.
#pragma once

#include <flowweaver/sdk.hpp>
#include <string>
#include <utility>
#include <vector>

#include "http_request_spec.h"

namespace flowweaver {

struct HttpResponse {
  long status = 0;
  // The final response's headers, names in lower case, in the order received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string url;  // where the final response came from (after redirects)

  // The value of header `name` (lower case), or null; repeated headers joined with ", ".
  std::optional<std::string> header(std::string_view name) const;
};

// Returns the response whatever its status. A transfer that fails throws: PermanentError
// when trying again cannot help (TLS verification, a response over max_response_bytes, a
// malformed URL, too many redirects), std::runtime_error otherwise (connection refused or
// reset, timeout, name resolution). Polls ctx.cancelled() while waiting, at least every
// kCancelPollMs, and stops the transfer once it is true.
HttpResponse perform_transfer(const HttpRequestSpec& spec, const Context& ctx);

constexpr int kCancelPollMs = 50;

}  // namespace flowweaver
