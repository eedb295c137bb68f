#include "http/http_message.h"

#include <strings.h>

namespace flowweaver {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (same_name(key, name)) return value;
  }
  return "";
}

bool HttpRequest::has_header(std::string_view name) const {
  for (const auto& field : headers) {
    if (same_name(field.first, name)) return true;
  }
  return false;
}

size_t HttpRequest::query_count(std::string_view name) const {
  size_t count = 0;
  for (const auto& field : query) count += field.first == name ? 1 : 0;
  return count;
}

std::string HttpRequest::query_value(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return "";
}

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  using nlohmann::json;
  return text(status, body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
              "application/json");
}

HttpResponse HttpResponse::error(int status, const std::string& message) {
  return json(status, {{"error", message}});
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

HttpResponse HttpResponse::event_stream(std::shared_ptr<EventStream> events) {
  HttpResponse r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.events = std::move(events);
  return r;
}

}  // namespace flowweaver
