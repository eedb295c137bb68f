// What `http.request` makes of a response: success or which kind of failure, and the output.
#pragma once

#include <ctime>
#include <flowweaver/sdk.hpp>

#include "http_request_spec.h"
#include "http_transfer.h"

namespace flowweaver {

// Returns when the status is one of spec.expected. Otherwise throws: for 429 and 5xx a
// retryable error (RetryAfterError when the response carries a Retry-After, read against
// `now`), for any other status PermanentError. The message names the request, the status,
// what was expected and the start of the body.
void check_status(const HttpRequestSpec& spec, const HttpResponse& response, const Context& ctx,
                  std::time_t now);

// {status, headers, body, url} and, when the Content-Type says JSON, `json`: the body parsed.
// A body that is not UTF-8 text throws PermanentError (the output is JSON text).
Json response_output(const HttpResponse& response, const Context& ctx);

}  // namespace flowweaver
