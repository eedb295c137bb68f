#include "dashboard/dashboard_routes.h"

#include <string_view>

#include "dashboard/embedded_file.h"

namespace flowweaver {

namespace {

const EmbeddedFile* find_file(std::string_view name) {
  for (size_t i = 0; i < kNumEmbeddedFiles; ++i) {
    if (name == kEmbeddedFiles[i].name) return &kEmbeddedFiles[i];
  }
  return nullptr;
}

std::string content_type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

HttpResponse serve_file(std::string_view name) {
  const EmbeddedFile* file = find_file(name);
  if (!file) {
    return HttpResponse::error(
        404, "no dashboard file '" + std::string(name) + "'; the dashboard is at /");
  }
  HttpResponse res =
      HttpResponse::text(200, std::string(reinterpret_cast<const char*>(file->bytes), file->size),
                         content_type_of(name));
  // The files change with the binary only; revalidating each time keeps an upgraded service
  // from running an old script against its new API.
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // Nothing but the service's own scripts, styles and API: text from a run (an error, a log
  // line) can never run as script even if a bug let it into the page as markup.
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  return res;
}

}  // namespace

// Both only read memory, so they run on the I/O thread.
void add_dashboard_routes(Router& router) {
  router.add(
      "GET", "/", [](const HttpRequest&) { return serve_file("index.html"); }, RunOn::kIoThread);
  router.add(
      "GET", "/ui/{}", [](const HttpRequest& req) { return serve_file(req.path_params[0]); },
      RunOn::kIoThread);
}

}  // namespace flowweaver
