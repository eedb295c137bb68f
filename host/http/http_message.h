// A request as a handler sees it and the response it returns: plain values, no library types,
// so that routes and handlers (service/http_api.cpp) do not depend on the server underneath.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flowweaver {

class EventStream;

using HttpFields = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent, e.g. "/api/runs?limit=2%30" (quote it with printable())
  std::string path;    // the target before '?', still percent-encoded
  HttpFields query;    // the target's parameters, percent-decoded ('+' is a space), in order
  HttpFields headers;  // in order; names as sent
  std::string body;    // empty until the body was read (never for a head check)
  // The percent-decoded path segments that matched the route's "{}" parts, in order.
  std::vector<std::string> path_params;

  // The first header named `name` (any case); "" when there is none.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // How often the query holds `name`; and its first value ("" when none).
  size_t query_count(std::string_view name) const;
  std::string query_value(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  HttpFields headers;  // besides Content-Type, Content-Length and Connection, which the server sets
  std::string body;
  // When set, the body is not `body` but the server-sent events pushed into this stream, until
  // either side ends it (see event_stream.h).
  std::shared_ptr<EventStream> events;

  // `body` as indented JSON; invalid UTF-8 that slipped into a string becomes U+FFFD.
  static HttpResponse json(int status, const nlohmann::json& body);
  // {"error": message}
  static HttpResponse error(int status, const std::string& message);
  static HttpResponse text(int status, std::string body, std::string content_type);
  static HttpResponse event_stream(std::shared_ptr<EventStream> events);
};

}  // namespace flowweaver
