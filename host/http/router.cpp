#include "http/router.h"

#include "http/request_target.h"

namespace flowweaver {

void Router::add(std::string method, const std::string& pattern, HttpHandler handler,
                 RunOn run_on) {
  std::vector<std::string> segments;
  for (std::string_view s : path_segments(pattern)) segments.emplace_back(s);
  routes_.push_back({std::move(method), std::move(segments), std::move(handler), run_on});
}

bool Router::matches(const Route& route, const std::vector<std::string_view>& segments,
                     std::vector<std::string>* params, bool* bad_encoding) {
  if (route.pattern.size() != segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (route.pattern[i] != "{}") {
      if (route.pattern[i] != segments[i]) return false;
      continue;
    }
    if (segments[i].empty()) return false;
    std::optional<std::string> decoded = percent_decode(segments[i], false);
    if (!decoded) {
      *bad_encoding = true;
      return false;
    }
    params->push_back(std::move(*decoded));
  }
  return true;
}

Router::Match Router::find(const std::string& method, const std::string& path) const {
  Match match;
  std::vector<std::string_view> segments = path_segments(path);
  bool bad_encoding = false;
  std::vector<std::string> params;
  for (const Route& route : routes_) {
    if (!matches(route, segments, &params, &bad_encoding)) continue;
    if (route.method == method) {
      match.route = &route;
      match.params = std::move(params);
      return match;
    }
    match.status = 405;
    match.allow += (match.allow.empty() ? "" : ", ") + route.method;
  }
  if (match.status != 405 && bad_encoding) match.status = 400;
  return match;
}

}  // namespace flowweaver
