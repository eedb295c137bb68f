#include "webhook_request.h"

#include <algorithm>
#include <cctype>

namespace flowweaver::notify {
namespace {

bool starts_with_ignoring_case(const std::string& text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

std::string checked_url(const Json& params, const std::string& who) {
  std::string url = params.value("url", "");
  if (!starts_with_ignoring_case(url, "http://") && !starts_with_ignoring_case(url, "https://")) {
    throw PermanentError(who + ": parameter 'url' must start with http:// or https://, but is \"" +
                         url + "\"");
  }
  return url;
}

// `payload` as an object or list is sent as JSON, its strings already templated by the host
// (and so escaped correctly, whatever they hold); as a string it must be JSON text itself.
std::string payload_body(const Json& payload, const std::string& who) {
  if (!payload.is_string()) return payload.dump();
  const std::string& text = payload.get_ref<const std::string&>();
  try {
    return Json::parse(text).dump();
  } catch (const Json::parse_error& e) {
    throw PermanentError(who + ": parameter 'payload' is a string that is not JSON (" + e.what() +
                         "); give the payload as a YAML map instead, so that the values put into "
                         "it are escaped for you");
  }
}

std::string request_body(const Json& params, const std::string& who) {
  bool has_payload = params.contains("payload") && !params["payload"].is_null();
  bool has_text = params.contains("text") && !params["text"].is_null();
  if (has_payload == has_text) {
    throw PermanentError(who +
                         ": give exactly one of 'payload' (the JSON to post) and 'text' "
                         "(posts {\"text\": ...}, as Slack and Mattermost expect)" +
                         (has_payload ? ", not both" : ""));
  }
  if (has_text) {
    const Json& text = params["text"];
    if (!text.is_string()) {
      throw PermanentError(who + ": parameter 'text' must be a string, but is " + text.dump());
    }
    return Json{{"text", text}}.dump();
  }
  return payload_body(params["payload"], who);
}

bool has_line_break(const std::string& text) {
  return text.find_first_of("\r\n") != std::string::npos;
}

std::vector<std::string> header_lines(const Json& headers, const std::string& who) {
  std::vector<std::string> lines;
  bool has_content_type = false;
  for (auto it = headers.begin(); it != headers.end(); ++it) {
    if (!it.value().is_string()) {
      throw PermanentError(who + ": header '" + it.key() + "' must be a string, but is " +
                           it.value().dump());
    }
    const std::string& value = it.value().get_ref<const std::string&>();
    if (it.key().empty() || it.key().find_first_of(": \t\r\n") != std::string::npos ||
        has_line_break(value)) {
      throw PermanentError(who + ": header '" + it.key() +
                           "' is not a valid HTTP header (a name without ':' or spaces, a value "
                           "on one line)");
    }
    has_content_type = has_content_type || starts_with_ignoring_case(it.key(), "content-type");
    lines.push_back(it.key() + ": " + value);
  }
  if (!has_content_type) lines.push_back("Content-Type: application/json");
  lines.push_back("Expect:");  // no 100-continue round trip before the body
  return lines;
}

}  // namespace

WebhookRequest webhook_request(const Json& params, const std::string& who) {
  WebhookRequest request;
  request.url = checked_url(params, who);
  request.body = request_body(params, who);
  request.headers = header_lines(params.value("headers", Json::object()), who);
  return request;
}

}  // namespace flowweaver::notify
