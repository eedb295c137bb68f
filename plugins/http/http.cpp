// The http plugin: `uses: http.request` sends one HTTP request with libcurl and returns the
// response as the task's output: {status, headers, body, url} and `json` when the response is
// JSON (docs/task-types.md, "http.request").
//
// Which failures are retried: no connection, a reset, a timeout, HTTP 429 and 5xx (honouring a
// Retry-After header, see sdk.hpp RetryAfterError). Retrying cannot help any other status
// outside expect_status, a failed TLS verification, a response larger than
// max_response_bytes, or bad parameters: those fail the task at once.
#include <ctime>
#include <flowweaver/sdk.hpp>

#include "http_request_spec.h"
#include "http_response.h"
#include "http_transfer.h"

namespace flowweaver {
namespace {

class Request : public Task {
 public:
  Json run(Context& ctx) override {
    HttpRequestSpec spec = read_request_spec(ctx);
    HttpResponse response = perform_transfer(spec, ctx);
    check_status(spec, response, ctx, std::time(nullptr));
    return response_output(response, ctx);
  }
};

}  // namespace
}  // namespace flowweaver

using flowweaver::Json;
using flowweaver::ParamType;

FLOWWEAVER_PLUGIN(http, "1.0.0") {
  plugin.task<flowweaver::Request>("request", "Sends an HTTP request and returns the response")
      .required("url", ParamType::String, "http:// or https:// URL")
      .optional("method", ParamType::String, "GET", "HTTP method, e.g. GET, POST, PUT, DELETE")
      .optional("headers", ParamType::Object, Json::object(), "Request headers: name -> value")
      .optional("query", ParamType::Object, Json::object(),
                "Query parameters added to the URL, URL-encoded: name -> value")
      .optional("body", ParamType::String, nullptr, "Request body as text (not with json)")
      .optional("json", ParamType::Any, nullptr,
                "Request body as JSON; sets Content-Type: application/json (not with body)")
      .optional("timeout", ParamType::Duration, "30s", "Whole request, connection included")
      .optional("expect_status", ParamType::Any, "2xx",
                "Successful statuses: a code, a class such as \"2xx\", or a list of those")
      .optional("follow_redirects", ParamType::Boolean, true, "Follow 3xx redirects (up to 10)")
      .optional("max_response_bytes", ParamType::Integer, 10 * 1024 * 1024,
                "Fail (not retried) when the response body is larger")
      .optional("ca_file", ParamType::String, nullptr,
                "PEM file of CA certificates trusted in addition to the system's");
}
