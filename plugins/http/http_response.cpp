#include "http_response.h"

#include "retry_after.h"

namespace flowweaver {
namespace {

// How much of a failed response's body its error message quotes.
constexpr size_t kQuotedBodyBytes = 200;

// The start of `body` as one line, cut between UTF-8 characters.
std::string quoted_body(const std::string& body) {
  if (body.empty()) return "";
  size_t cut = std::min(body.size(), kQuotedBodyBytes);
  while (cut > 0 && cut < body.size() && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  std::string text = body.substr(0, cut);
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return ": " + Json(text).dump(-1, ' ', false, Json::error_handler_t::replace) +
         (cut < body.size() ? "..." : "");
}

bool is_json_media_type(std::string type) {
  type = type.substr(0, type.find(';'));
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "application/json" ||
         (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
}

bool is_utf8(const std::string& text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

}  // namespace

void check_status(const HttpRequestSpec& spec, const HttpResponse& response, const Context& ctx,
                  std::time_t now) {
  if (spec.expected.contains(response.status)) return;
  std::string message = ctx.who() + ": " + spec.method + " " + response.url + " returned HTTP " +
                        std::to_string(response.status) +
                        " (expect_status: " + spec.expected.text() + ")" +
                        quoted_body(response.body);
  bool retryable = response.status == 429 || (response.status >= 500 && response.status <= 599);
  if (!retryable) throw PermanentError(message + "; not retried (a 4xx is the request's fault)");
  if (std::optional<std::string> header = response.header("retry-after")) {
    if (std::optional<std::chrono::milliseconds> wait = parse_retry_after(*header, now)) {
      throw RetryAfterError(message + "; the server asks to retry after " +
                                std::to_string(wait->count() / 1000) + " s",
                            *wait);
    }
  }
  throw std::runtime_error(message);
}

Json response_output(const HttpResponse& response, const Context& ctx) {
  if (!is_utf8(response.body)) {
    throw PermanentError(ctx.who() + ": the response body from " + response.url +
                         " is not UTF-8 text; http.request returns text and JSON only");
  }
  Json headers = Json::object();
  for (const auto& [name, value] : response.headers) {
    if (!headers.contains(name)) headers[name] = *response.header(name);
  }
  Json output = {{"status", response.status},
                 {"headers", headers},
                 {"body", response.body},
                 {"url", response.url}};
  std::optional<std::string> type = response.header("content-type");
  if (type && is_json_media_type(*type)) {
    Json parsed = Json::parse(response.body, nullptr, false);
    if (parsed.is_discarded()) {
      ctx.log("warn", "the response says " + *type + " but its body is not JSON: no 'json' field");
    } else {
      output["json"] = std::move(parsed);
    }
  }
  return output;
}

}  // namespace flowweaver
