// Routes: a method and a path pattern to a handler. A pattern is literal segments and "{}"
// segments, each matching one non-empty path segment, which reaches the handler
// percent-decoded in HttpRequest::path_params: "/api/runs/{}".
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/http_message.h"

namespace flowweaver {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Where a handler runs. Handlers that may block (a database read) run on the server's handler
// threads; a handler that only reads memory may run on the I/O thread, where it cannot be
// queued behind slow ones.
enum class RunOn { kHandlerThread, kIoThread };

class Router {
 public:
  struct Route {
    std::string method;
    std::vector<std::string> pattern;  // segments; "{}" matches any one
    HttpHandler handler;
    RunOn run_on;
  };

  // What find() says about a request.
  struct Match {
    const Route* route = nullptr;     // null: `status` tells why
    int status = 404;                 // 404 no such path; 405 path known, method not; 400 bad path
    std::string allow;                // for a 405: the methods the path takes
    std::vector<std::string> params;  // decoded "{}" segments
  };

  void add(std::string method, const std::string& pattern, HttpHandler handler,
           RunOn run_on = RunOn::kHandlerThread);
  Match find(const std::string& method, const std::string& path) const;

 private:
  static bool matches(const Route& route, const std::vector<std::string_view>& segments,
                      std::vector<std::string>* params, bool* bad_encoding);

  std::vector<Route> routes_;
};

}  // namespace flowweaver
