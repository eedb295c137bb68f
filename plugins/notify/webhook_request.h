// What notify.webhook sends, built from its parameters alone (no network), so every way the
// parameters can be wrong is tested without a server.
#pragma once

#include <flowweaver/sdk.hpp>
#include <string>
#include <vector>

namespace flowweaver::notify {

struct WebhookRequest {
  std::string url;
  std::string body;                  // JSON text
  std::vector<std::string> headers;  // "Name: value" lines, Content-Type included
};

// Reads url, payload or text, and headers from `params` (the resolved `with:`). `who` starts
// every message. Throws PermanentError for what no attempt can fix: neither or both of payload
// and text, a payload string that is not JSON, a URL that is not http(s), a header value with
// a line break.
WebhookRequest webhook_request(const Json& params, const std::string& who);

}  // namespace flowweaver::notify
