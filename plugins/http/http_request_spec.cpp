#include "http_request_spec.h"

#include <curl/curl.h>

#include <memory>

namespace flowweaver {
namespace {

[[noreturn]] void bad_param(const Context& ctx, const std::string& name, const std::string& why) {
  throw PermanentError(ctx.who() + ": parameter '" + name + "' " + why);
}

// A parameter the host filled with its null default counts as absent.
const Json* present(const Context& ctx, const std::string& name) {
  const Json& all = ctx.params();
  auto it = all.find(name);
  return it == all.end() || it->is_null() ? nullptr : &*it;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

std::string read_method(const Context& ctx) {
  std::string method = ctx.param<std::string>("method");
  for (char& c : method) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (!is_token(method)) {
    bad_param(ctx, "method", "must be an HTTP method such as GET or POST, not '" + method + "'");
  }
  return method;
}

// A header or query value: text, or a number or boolean written as text.
std::string scalar_text(const Context& ctx, const std::string& param, const std::string& key,
                        const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  bad_param(
      ctx, param,
      "has '" + key + "' set to " + detail::describe(value) + ": give a string, number or boolean");
}

std::vector<std::pair<std::string, std::string>> read_headers(const Context& ctx) {
  std::vector<std::pair<std::string, std::string>> headers;
  const Json* given = present(ctx, "headers");
  if (given == nullptr) return headers;
  if (!given->is_object()) bad_param(ctx, "headers", "must be a map of header names to values");
  for (auto it = given->begin(); it != given->end(); ++it) {
    if (!is_token(it.key())) {
      bad_param(ctx, "headers", "has a header name '" + it.key() + "' that HTTP does not allow");
    }
    std::string value = scalar_text(ctx, "headers", it.key(), it.value());
    // A line break would start a header (or a body) of the value's choosing.
    if (value.find_first_of("\r\n") != std::string::npos) {
      bad_param(ctx, "headers", "has a line break in the value of '" + it.key() + "'");
    }
    headers.emplace_back(it.key(), std::move(value));
  }
  return headers;
}

std::string url_escaped(const std::string& text) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size())), &curl_free);
  if (!escaped) throw std::runtime_error("out of memory escaping a query value");
  return escaped.get();
}

std::string read_url(const Context& ctx) {
  std::string url = ctx.param<std::string>("url");
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    bad_param(ctx, "url", "must start with http:// or https://, not '" + url + "'");
  }
  const Json* query = present(ctx, "query");
  if (query == nullptr) return url;
  if (!query->is_object()) bad_param(ctx, "query", "must be a map of names to values");
  for (auto it = query->begin(); it != query->end(); ++it) {
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += url_escaped(it.key()) + "=" + url_escaped(scalar_text(ctx, "query", it.key(), *it));
  }
  return url;
}

bool has_header(const HttpRequestSpec& spec, std::string_view name) {
  for (const auto& [key, value] : spec.headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return true;
    }
  }
  return false;
}

void read_body(const Context& ctx, HttpRequestSpec& spec) {
  const Json* body = present(ctx, "body");
  const Json* json = present(ctx, "json");
  if (body && json) {
    throw PermanentError(ctx.who() + ": give either 'body' (text) or 'json' (a value), not both");
  }
  if (body) {
    if (!body->is_string()) bad_param(ctx, "body", "must be text; use 'json' for a JSON value");
    spec.body = body->get<std::string>();
  } else if (json) {
    spec.body = json->dump();
    if (!has_header(spec, "content-type"))
      spec.headers.emplace_back("Content-Type", "application/json");
  }
}

// "2xx" -> 200..299; a plain code -> itself.
std::optional<std::pair<long, long>> status_range(const Json& value) {
  if (value.is_number_integer()) {
    long code = value.get<long>();
    if (code < 100 || code > 599) return std::nullopt;
    return std::make_pair(code, code);
  }
  if (!value.is_string()) return std::nullopt;
  std::string text = value.get<std::string>();
  if (text.size() != 3 || text[0] < '1' || text[0] > '5' || (text[1] != 'x' && text[1] != 'X') ||
      (text[2] != 'x' && text[2] != 'X')) {
    return std::nullopt;
  }
  long first = (text[0] - '0') * 100;
  return std::make_pair(first, first + 99);
}

}  // namespace

StatusSet StatusSet::from_param(const Json& value, const std::string& who) {
  StatusSet set;
  Json items = value.is_array() ? value : Json::array({value});
  for (const Json& item : items) {
    std::optional<std::pair<long, long>> range = status_range(item);
    if (!range) {
      throw PermanentError(who + ": parameter 'expect_status' has " + detail::describe(item) +
                           ": give a status code (e.g. 200), a class such as \"2xx\", or a list "
                           "of those");
    }
    set.ranges_.push_back(*range);
    if (!set.text_.empty()) set.text_ += ", ";
    set.text_ += item.is_string() ? item.get<std::string>() : item.dump();
  }
  if (set.ranges_.empty()) {
    throw PermanentError(who +
                         ": parameter 'expect_status' is an empty list: give at least one "
                         "status code or class");
  }
  return set;
}

bool StatusSet::contains(long status) const {
  for (const auto& [first, last] : ranges_) {
    if (status >= first && status <= last) return true;
  }
  return false;
}

HttpRequestSpec read_request_spec(const Context& ctx) {
  HttpRequestSpec spec;
  spec.method = read_method(ctx);
  spec.url = read_url(ctx);
  spec.headers = read_headers(ctx);
  read_body(ctx, spec);
  spec.timeout = ctx.duration_param("timeout");
  if (spec.timeout.count() <= 0) bad_param(ctx, "timeout", "must be longer than 0s");
  spec.expected = StatusSet::from_param(ctx.param("expect_status"), ctx.who());
  spec.follow_redirects = ctx.param<bool>("follow_redirects");
  int64_t max_bytes = ctx.param<int64_t>("max_response_bytes");
  if (max_bytes <= 0) bad_param(ctx, "max_response_bytes", "must be at least 1");
  spec.max_response_bytes = static_cast<uint64_t>(max_bytes);
  if (const Json* ca = present(ctx, "ca_file")) {
    if (!ca->is_string() || ca->get<std::string>().empty()) {
      bad_param(ctx, "ca_file", "must be the path of a PEM file of CA certificates");
    }
    spec.ca_file = ca->get<std::string>();
  }
  return spec;
}

}  // namespace flowweaver
