#include "service/http_api.h"

#include <httplib.h>
#include <spdlog/logger.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <regex>

#include "service/service.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/utf8.h"

namespace flowweaver {

namespace {

using nlohmann::json;

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Invalid UTF-8 that slipped into a message becomes U+FFFD rather than an exception.
  res.set_content(body.dump(2, ' ', false, json::error_handler_t::replace) + "\n",
                  "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply(res, status, {{"error", message}});
}

// Compares every byte, so the time taken says nothing about how much of a guess was right.
bool same_secret(const std::string& given, const std::string& token) {
  if (given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) diff |= given[i] ^ token[i];
  return diff == 0;
}

// Client text quoted in a reply or a log line: control characters and invalid UTF-8 escaped.
std::string shown(std::string_view text) { return printable(escape_invalid_utf8(text)); }

std::string names_list(std::initializer_list<const char*> names) {
  std::string list;
  for (const char* name : names) list += std::string(list.empty() ? "" : ", ") + name;
  return list;
}

// Whatever a client sends to an /api endpoint ends up in JSON and in messages, so it must be
// UTF-8; a query parameter the endpoint does not know is most likely a typo, which would
// otherwise be ignored in silence. Replies 400 naming the culprit and returns false when not.
bool check_query(const httplib::Request& req, httplib::Response& res,
                 std::initializer_list<const char*> known) {
  for (const auto& [name, value] : req.params) {
    bool is_known = std::any_of(known.begin(), known.end(),
                                [&name = name](const char* k) { return name == k; });
    if (!is_known) {
      reply_error(res, 400,
                  "unknown query parameter '" + shown(name) + "': " + shown(req.path) +
                      (known.size() == 0 ? " takes none" : " takes " + names_list(known)));
      return false;
    }
    if (find_invalid_utf8(value)) {
      reply_error(res, 400,
                  "the query parameter '" + name + "' is not valid UTF-8 ('" + shown(value) +
                      "'): send the value's UTF-8 bytes, percent-encoded");
      return false;
    }
    if (req.get_param_value_count(name) > 1) {
      reply_error(res, 400, "the query parameter '" + name + "' is given more than once");
      return false;
    }
  }
  return true;
}

// `what` names the part of the path, e.g. "the run id".
bool check_path_part(const std::string& part, const char* what, httplib::Response& res) {
  if (!find_invalid_utf8(part)) return true;
  reply_error(res, 400,
              std::string(what) + " in the path is not valid UTF-8 ('" + shown(part) +
                  "'): send its UTF-8 bytes, percent-encoded");
  return false;
}

json checks_json(const std::vector<HealthCheck>& checks, bool* all_ok) {
  json out = json::object();
  *all_ok = true;
  for (const HealthCheck& c : checks) {
    out[c.name] = {{"ok", c.ok}, {"detail", c.detail}};
    *all_ok &= c.ok;
  }
  return out;
}

}  // namespace

struct HttpApi::Impl {
  Impl(Service& s, std::shared_ptr<spdlog::logger> l) : service(s), log(std::move(l)) {}

  void routes();
  void health(httplib::Response& res, bool deep, bool details);
  void start_run(const httplib::Request& req, const std::string& workflow, httplib::Response& res);

  void log_server_error(const httplib::Request& req, const httplib::Response& res);

  Service& service;
  std::shared_ptr<spdlog::logger> log;
  httplib::Server server;
};

// A 500 is the service's fault: the operator needs the request to reproduce it.
void HttpApi::Impl::log_server_error(const httplib::Request& req, const httplib::Response& res) {
  if (res.status != 500) return;
  std::string error = res.body;
  json body = json::parse(res.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    error = body["error"].get<std::string>();
  }
  log->error("HTTP {} {} answered {}: {}", shown(req.method), shown(req.target), res.status,
             shown(error));
}

void HttpApi::Impl::health(httplib::Response& res, bool deep, bool details) {
  bool ok = true;
  json checks = checks_json(service.health_checks(deep), &ok);
  json body = {{"status", ok ? "ok" : "failing"}, {"checks", checks}};
  if (details) {
    body["version"] = FLOWWEAVER_VERSION;
    body["state_store_reachable"] = checks["state_store"]["ok"];
    body["scheduler_alive"] = checks["scheduler"]["ok"];
    body["plugins_loaded"] = service.plugins_loaded();
    body["active_runs"] = service.active_runs();
  }
  reply(res, ok ? 200 : 503, body);
}

void HttpApi::Impl::start_run(const httplib::Request& req, const std::string& workflow,
                              httplib::Response& res) {
  const std::string& token = service.config().token;
  if (!token.empty()) {
    std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) != 0 || !same_secret(header.substr(prefix.size()), token)) {
      res.set_header("WWW-Authenticate", "Bearer");
      reply_error(res, 401, "this endpoint needs the header 'Authorization: Bearer <token>'");
      return;
    }
  }
  if (!check_query(req, res, {}) || !check_path_part(workflow, "the workflow name", res)) return;
  StartRunResult r = service.start_run(workflow, "HTTP request");
  using Code = StartRunResult::Code;
  switch (r.code) {
    case Code::kStarted:
      reply(res, 201, {{"run_id", r.run_id}, {"workflow", workflow}});
      return;
    case Code::kUnknownWorkflow:
      reply_error(res, 404, r.message);
      return;
    case Code::kAlreadyActive:
      reply(res, 409, {{"error", r.message}, {"run_id", r.run_id}});
      return;
    case Code::kAtCapacity:
      res.set_header("Retry-After", "10");
      reply_error(res, 429, r.message);
      return;
    case Code::kStopping:
      reply_error(res, 503, r.message);
      return;
    case Code::kFailed:
      reply_error(res, 500, r.message);
      return;
  }
}

void HttpApi::Impl::routes() {
  server.Get("/livez", [](const httplib::Request&, httplib::Response& res) {
    reply(res, 200, {{"status", "ok"}});
  });
  server.Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    health(res, false, false);
  });
  server.Get("/health",
             [this](const httplib::Request&, httplib::Response& res) { health(res, true, true); });
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(service.metrics_text(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.Get("/api/workflows", [this](const httplib::Request& req, httplib::Response& res) {
    if (check_query(req, res, {})) reply(res, 200, service.workflows_json());
  });
  server.Get("/api/plugins", [this](const httplib::Request& req, httplib::Response& res) {
    if (check_query(req, res, {})) reply(res, 200, service.plugins_json());
  });
  server.Get("/api/runs", [this](const httplib::Request& req, httplib::Response& res) {
    if (!check_query(req, res, {"workflow", "limit"})) return;
    size_t limit = 50;
    if (req.has_param("limit")) {
      std::string text = req.get_param_value("limit");
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
      if (ec != std::errc() || end != text.data() + text.size() || limit == 0 || limit > 10000) {
        reply_error(res, 400, "limit must be a whole number from 1 to 10000");
        return;
      }
    }
    std::string workflow = req.get_param_value("workflow");
    std::optional<json> runs = service.runs_json(workflow, limit);
    if (!runs) {
      reply_error(res, 404, "no workflow named '" + shown(workflow) + "'");
      return;
    }
    reply(res, 200, *runs);
  });
  server.Get(R"(/api/runs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string run_id = req.matches[1];
    if (!check_query(req, res, {}) || !check_path_part(run_id, "the run id", res)) return;
    std::optional<json> run = service.run_json(run_id);
    if (!run) {
      reply_error(res, 404, "no run with id '" + shown(run_id) + "'");
      return;
    }
    reply(res, 200, *run);
  });
  static const char* kStartRunPath = R"(/api/workflows/([^/]+)/runs)";
  static const std::regex kStartRun(kStartRunPath);
  server.Post(kStartRunPath, [this](const httplib::Request& req, httplib::Response& res) {
    start_run(req, req.matches[1], res);
  });
  // `curl -X POST URL` sends neither Content-Length nor a body, which the server library
  // answers with 400 before routing; such a request has nothing to read, so it is served here.
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    std::smatch match;
    if (req.method != "POST" || req.has_header("Content-Length") ||
        req.has_header("Transfer-Encoding") || !std::regex_match(req.path, match, kStartRun)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    start_run(req, match[1], res);
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        reply_error(res, 500, what);
      });
  // Unknown paths, wrong methods and requests the parser rejected get a JSON body too.
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    reply_error(res, res.status, res.status == 404 ? "no such endpoint" : "bad request");
  });
  server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    log_server_error(req, res);
  });
  server.set_payload_max_length(64 * 1024);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_timeout(1);  // stop() waits for idle keep-alive connections this long
  // SO_REUSEADDR only: the library's default adds SO_REUSEPORT, with which a second service
  // started on the same port binds it too, shares its connections, and resumes its runs.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

HttpApi::HttpApi(Service& service, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(service, std::move(log))) {
  impl_->routes();
}

HttpApi::~HttpApi() { stop(); }

int HttpApi::bind(const std::string& host, int port) {
  if (port == 0) {
    int bound = impl_->server.bind_to_any_port(host);
    if (bound > 0) return bound;
  } else if (impl_->server.bind_to_port(host, port)) {
    return port;
  }
  throw Error::IO("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                  std::strerror(errno) + " (set `listen` in the config or use --listen)");
}

void HttpApi::start() {
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
}

void HttpApi::stop() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace flowweaver
