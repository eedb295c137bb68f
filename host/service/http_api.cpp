#include "service/http_api.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <charconv>
#include <variant>

#include "dashboard/dashboard_routes.h"
#include "exec/output_check.h"
#include "http/event_stream.h"
#include "http/http_server.h"
#include "service/dag_svg.h"
#include "service/dag_svg_cache.h"
#include "service/service.h"
#include "service/task_log_follower.h"
#include "service/views/plugin_views.h"
#include "service/views/run_views.h"
#include "service/views/workflow_views.h"
#include "util/error.h"
#include "util/printable.h"
#include "util/utf8.h"

namespace flowweaver {

namespace {

using nlohmann::json;

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
// otherwise be ignored in silence. The 400 naming the culprit, or nothing when all is well.
std::optional<HttpResponse> bad_query(const HttpRequest& req,
                                      std::initializer_list<const char*> known) {
  for (const auto& [name, value] : req.query) {
    bool is_known = std::any_of(known.begin(), known.end(),
                                [&name = name](const char* k) { return name == k; });
    if (!is_known) {
      return HttpResponse::error(
          400, "unknown query parameter '" + shown(name) + "': " + shown(req.path) +
                   (known.size() == 0 ? " takes none" : " takes " + names_list(known)));
    }
    if (find_invalid_utf8(value)) {
      return HttpResponse::error(400, "the query parameter '" + name + "' is not valid UTF-8 ('" +
                                          shown(value) +
                                          "'): send the value's UTF-8 bytes, percent-encoded");
    }
    if (req.query_count(name) > 1) {
      return HttpResponse::error(400, "the query parameter '" + name + "' is given more than once");
    }
  }
  return std::nullopt;
}

// `what` names the part of the path, e.g. "the run id".
std::optional<HttpResponse> bad_path_part(const std::string& part, const char* what) {
  if (!find_invalid_utf8(part)) return std::nullopt;
  return HttpResponse::error(400, std::string(what) + " in the path is not valid UTF-8 ('" +
                                      shown(part) + "'): send its UTF-8 bytes, percent-encoded");
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

// The probes of supervisors and load balancers answer without the token; the API needs it.
bool needs_token(const HttpRequest& req) {
  return req.path == "/api" || req.path.rfind("/api/", 0) == 0;
}

// The reply to a reset or a mark.
HttpResponse task_action_reply(const TaskActionResult& r) {
  using Code = TaskActionResult::Code;
  switch (r.code) {
    case Code::kDone:
      return HttpResponse::json(200, r.body);
    case Code::kUnknownRun:
    case Code::kUnknownTask:
      return HttpResponse::error(404, r.message);
    case Code::kNotLatest:
    case Code::kActive:
    case Code::kHeldElsewhere:
      return HttpResponse::error(409, r.message);
    case Code::kFailed:
      break;
  }
  return HttpResponse::error(500, r.message);
}

// The request's run id and task name, checked; or the 400 to answer.
std::optional<HttpResponse> bad_task_path(const HttpRequest& req) {
  if (auto bad = bad_query(req, {})) return bad;
  if (auto bad = bad_path_part(req.path_params[0], "the run id")) return bad;
  return bad_path_part(req.path_params[1], "the task name");
}

constexpr const char* kMarkShapes =
    "send {\"status\": \"COMPLETED\", \"output\": <the task's output as JSON>} or "
    "{\"status\": \"FAILED\", \"error\": \"why\"}";

// A mark's body: what to record, or the 400 naming the accepted shapes.
std::variant<TaskMark, HttpResponse> mark_from_body(const std::string& text) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("status")) {
    return HttpResponse::error(
        400, std::string("the request body must be a JSON object: ") + kMarkShapes);
  }
  std::string status = body["status"].is_string() ? body["status"].get<std::string>() : "";
  if (status != "COMPLETED" && status != "FAILED") {
    return HttpResponse::error(
        400, "\"status\" must be \"COMPLETED\" or \"FAILED\": " + std::string(kMarkShapes));
  }
  TaskMark mark;
  mark.completed = status == "COMPLETED";
  mark.note = "set by hand over the HTTP API";
  const char* other = mark.completed ? "output" : "error";
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() != "status" && it.key() != other) {
      return HttpResponse::error(
          400, "unknown key '" + shown(it.key()) + "' for status " + status + ": " + kMarkShapes);
    }
  }
  if (mark.completed) {
    mark.output = body.contains("output") ? body["output"].dump() : "null";
    if (std::optional<std::string> problem = output_text_problem(mark.output)) {
      return HttpResponse::error(400, "\"output\" " + *problem + ": " + kMarkShapes);
    }
  } else if (body.contains("error")) {
    if (!body["error"].is_string()) {
      return HttpResponse::error(400, std::string("\"error\" must be a string: ") + kMarkShapes);
    }
    mark.error = body["error"].get<std::string>();
  }
  return mark;
}

}  // namespace

struct HttpApi::Impl {
  Impl(Service& s, std::shared_ptr<spdlog::logger> l) : service(s), log(std::move(l)) {}

  Router routes();
  void add(Router& router, const char* method, const char* pattern, HttpHandler handler,
           RunOn run_on = RunOn::kHandlerThread);
  std::optional<HttpResponse> check_token(const HttpRequest& req) const;
  HttpResponse health(bool deep, bool details);
  HttpResponse list_runs(const HttpRequest& req);
  HttpResponse show_run(const HttpRequest& req);
  HttpResponse start_run(const HttpRequest& req);
  HttpResponse cancel_run(const HttpRequest& req);
  HttpResponse task_log(const HttpRequest& req);
  HttpResponse workflow_graph(const HttpRequest& req);
  HttpResponse run_events(const HttpRequest& req);
  HttpResponse reset_task(const HttpRequest& req);
  HttpResponse mark_task(const HttpRequest& req);
  void log_server_error(const HttpRequest& req, const HttpResponse& res);

  Service& service;
  std::shared_ptr<spdlog::logger> log;
  TaskLogFollower log_follower{service};
  DagSvgCache graphs;
  std::unique_ptr<HttpServer> server;  // stopped before the follower ends its streams
};

// A 500 is the service's fault: the operator needs the request to reproduce it.
void HttpApi::Impl::log_server_error(const HttpRequest& req, const HttpResponse& res) {
  if (res.status != 500) return;
  std::string error = res.body;
  json body = json::parse(res.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    error = body["error"].get<std::string>();
  }
  log->error("HTTP {} {} answered {}: {}", shown(req.method), shown(req.target), res.status,
             shown(error));
}

// Every handler answers an exception with a 500 naming it, logged with the request.
void HttpApi::Impl::add(Router& router, const char* method, const char* pattern,
                        HttpHandler handler, RunOn run_on) {
  router.add(
      method, pattern,
      [this, handler = std::move(handler)](const HttpRequest& req) {
        HttpResponse res;
        try {
          res = handler(req);
        } catch (const std::exception& e) {
          res = HttpResponse::error(500, e.what());
        }
        log_server_error(req, res);
        return res;
      },
      run_on);
}

std::optional<HttpResponse> HttpApi::Impl::check_token(const HttpRequest& req) const {
  const std::string& token = service.config().token;
  if (token.empty() || !needs_token(req)) return std::nullopt;
  std::string header = req.header("Authorization");
  const std::string prefix = "Bearer ";
  if (header.rfind(prefix, 0) == 0 && same_secret(header.substr(prefix.size()), token)) {
    return std::nullopt;
  }
  HttpResponse res =
      HttpResponse::error(401, "this endpoint needs the header 'Authorization: Bearer <token>'");
  res.headers.emplace_back("WWW-Authenticate", "Bearer");
  return res;
}

HttpResponse HttpApi::Impl::health(bool deep, bool details) {
  bool ok = true;
  json checks = checks_json(service.health_checks(deep), &ok);
  json body = {{"status", ok ? "ok" : "failing"}, {"checks", checks}};
  if (details) {
    body["version"] = FLOWWEAVER_VERSION;
    body["state_store_reachable"] = checks["state_store"]["ok"];
    body["scheduler_alive"] = checks["scheduler"]["ok"];
    body["plugins_loaded"] = service.plugins_loaded();
    body["active_runs"] = service.active_runs();
    if (std::optional<ClusterHealth> cluster = service.cluster_health()) {
      json hosts = json::array();
      for (const AliveHost& h : cluster->hosts_alive) {
        hosts.push_back({{"host_id", h.host_id}, {"last_seen", h.last_seen}});
      }
      body["host_id"] = cluster->host_id;
      body["hosts_alive"] = hosts;
      body["claims"] = cluster->claims;
    }
  }
  return HttpResponse::json(ok ? 200 : 503, body);
}

namespace {

// The status= filter of GET /api/runs: a run status's name, or a 400 listing them.
std::optional<HttpResponse> parse_status_filter(const HttpRequest& req, RunsQuery* query) {
  if (req.query_count("status") == 0) return std::nullopt;
  std::string text = req.query_value("status");
  query->status = parse_run_status(text);
  if (query->status) return std::nullopt;
  std::string names;
  for (int i = 0; i <= static_cast<int>(RunStatus::kCancelled); ++i) {
    names += std::string(names.empty() ? "" : ", ") + to_string(static_cast<RunStatus>(i));
  }
  return HttpResponse::error(400, "status must be one of " + names + ", not '" + shown(text) + "'");
}

}  // namespace

HttpResponse HttpApi::Impl::list_runs(const HttpRequest& req) {
  if (auto bad = bad_query(req, {"workflow", "limit", "status"})) return *bad;
  RunsQuery query;
  if (req.query_count("limit") > 0) {
    std::string text = req.query_value("limit");
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), query.limit);
    if (ec != std::errc() || end != text.data() + text.size() || query.limit == 0 ||
        query.limit > 10000) {
      return HttpResponse::error(400, "limit must be a whole number from 1 to 10000");
    }
  }
  if (auto bad = parse_status_filter(req, &query)) return *bad;
  query.workflow = req.query_value("workflow");
  std::optional<json> runs = runs_view(service, query);
  if (!runs) return HttpResponse::error(404, "no workflow named '" + shown(query.workflow) + "'");
  return HttpResponse::json(200, *runs);
}

HttpResponse HttpApi::Impl::show_run(const HttpRequest& req) {
  const std::string& run_id = req.path_params[0];
  if (auto bad = bad_query(req, {})) return *bad;
  if (auto bad = bad_path_part(run_id, "the run id")) return *bad;
  std::optional<json> run = run_view(service, run_id);
  if (!run) return HttpResponse::error(404, "no run with id '" + shown(run_id) + "'");
  return HttpResponse::json(200, *run);
}

HttpResponse HttpApi::Impl::start_run(const HttpRequest& req) {
  const std::string& workflow = req.path_params[0];
  if (auto bad = bad_query(req, {})) return *bad;
  if (auto bad = bad_path_part(workflow, "the workflow name")) return *bad;
  json params = json::object();
  if (!req.body.empty()) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return HttpResponse::error(
          400, "the request body must be a JSON object, e.g. {\"params\": {\"target\": \"prod\"}}");
    }
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (it.key() != "params") {
        return HttpResponse::error(400, "unknown key '" + shown(it.key()) +
                                            "' in the request body; it may hold only \"params\"");
      }
    }
    if (body.contains("params")) params = body["params"];
  }
  StartRunResult r = service.start_run(workflow, "HTTP request", params);
  using Code = StartRunResult::Code;
  switch (r.code) {
    case Code::kStarted:
      return HttpResponse::json(201, {{"run_id", r.run_id}, {"workflow", workflow}});
    case Code::kUnknownWorkflow:
      return HttpResponse::error(404, r.message);
    case Code::kAlreadyActive:
      return HttpResponse::json(409, {{"error", r.message}, {"run_id", r.run_id}});
    case Code::kActiveElsewhere: {
      json body = {{"error", r.message}};
      if (!r.run_id.empty()) body["run_id"] = r.run_id;
      if (!r.host_id.empty()) body["host_id"] = r.host_id;
      return HttpResponse::json(409, body);
    }
    case Code::kAtCapacity: {
      HttpResponse res = HttpResponse::error(429, r.message);
      res.headers.emplace_back("Retry-After", "10");
      return res;
    }
    case Code::kStopping:
      return HttpResponse::error(503, r.message);
    case Code::kBadParams:
      return HttpResponse::error(400, r.message);
    case Code::kFailed:
      break;
  }
  return HttpResponse::error(500, r.message);
}

HttpResponse HttpApi::Impl::cancel_run(const HttpRequest& req) {
  const std::string& run_id = req.path_params[0];
  if (auto bad = bad_query(req, {})) return *bad;
  if (auto bad = bad_path_part(run_id, "the run id")) return *bad;
  CancelRunResult r = service.cancel_run(run_id);
  using Code = CancelRunResult::Code;
  json done = {{"run_id", run_id}, {"workflow", r.workflow}, {"message", r.message}};
  switch (r.code) {
    case Code::kCancelling:
      return HttpResponse::json(202, done);
    case Code::kCancelled:
      return HttpResponse::json(200, done);
    case Code::kUnknownRun:
      return HttpResponse::error(404, "no run with id '" + shown(run_id) + "'");
    case Code::kAlreadyClosed:
    case Code::kHeldElsewhere:
      return HttpResponse::error(409, r.message);
    case Code::kFailed:
      break;
  }
  return HttpResponse::error(500, r.message);
}

// A task attempt's log as text, or with follow=1 as server-sent events ("log" events of lines
// while the attempt goes on, then "end").
HttpResponse HttpApi::Impl::task_log(const HttpRequest& req) {
  const std::string& run_id = req.path_params[0];
  const std::string& task = req.path_params[1];
  if (auto bad = bad_query(req, {"attempt", "follow"})) return *bad;
  if (auto bad = bad_path_part(run_id, "the run id")) return *bad;
  if (auto bad = bad_path_part(task, "the task name")) return *bad;
  std::optional<int> attempt;
  if (req.query_count("attempt") > 0) {
    std::string text = req.query_value("attempt");
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 1) {
      return HttpResponse::error(400, "attempt must be a whole number from 1 up");
    }
    attempt = n;
  }
  std::string follow = req.query_value("follow");
  if (follow != "" && follow != "0" && follow != "1") {
    return HttpResponse::error(400, "follow must be 1 (stream the log as it grows) or 0");
  }
  constexpr size_t kPieceBytes = 1024 * 1024;
  try {
    TaskLogChunk chunk = service.task_log(run_id, task, attempt, 0, kPieceBytes);
    if (follow == "1") {
      auto events = std::make_shared<EventStream>();
      log_follower.follow(run_id, task, chunk.attempt, 0, events);
      return HttpResponse::event_stream(events);
    }
    // A full piece may have more after it. A file is capped (10 MiB per attempt), so reading
    // it whole is bounded.
    std::string text;
    for (;;) {
      text += chunk.bytes;
      if (chunk.bytes.size() < kPieceBytes) break;
      chunk = service.task_log(run_id, task, chunk.attempt, chunk.next_offset, kPieceBytes);
    }
    return HttpResponse::text(200, std::move(text), "text/plain; charset=utf-8");
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return HttpResponse::error(404, e.what());
    throw;
  }
}

// The workflow's DAG as SVG (service/dag_svg.h), or a 422 when it is too large to draw.
HttpResponse HttpApi::Impl::workflow_graph(const HttpRequest& req) {
  const std::string& workflow = req.path_params[0];
  if (auto bad = bad_query(req, {})) return *bad;
  if (auto bad = bad_path_part(workflow, "the workflow name")) return *bad;
  std::optional<ServedWorkflow> served = service.served_workflow(workflow);
  if (!served) return HttpResponse::error(404, "no workflow named '" + shown(workflow) + "'");
  size_t num_tasks = served->workflow->manifest.tasks.size();
  if (num_tasks > kMaxDrawnTasks) {
    return HttpResponse::error(422, "the workflow has " + std::to_string(num_tasks) +
                                        " tasks, more than the " + std::to_string(kMaxDrawnTasks) +
                                        " the graph is drawn for; the task table lists them");
  }
  std::shared_ptr<const std::string> svg = graphs.svg(*served->workflow);
  return HttpResponse::text(200, *svg, "image/svg+xml");
}

HttpResponse HttpApi::Impl::reset_task(const HttpRequest& req) {
  if (auto bad = bad_task_path(req)) return *bad;
  if (!req.body.empty()) {
    return HttpResponse::error(400, "a reset takes no request body: send an empty one");
  }
  return task_action_reply(service.reset_task(req.path_params[0], req.path_params[1]));
}

HttpResponse HttpApi::Impl::mark_task(const HttpRequest& req) {
  if (auto bad = bad_task_path(req)) return *bad;
  std::variant<TaskMark, HttpResponse> mark = mark_from_body(req.body);
  if (auto* bad = std::get_if<HttpResponse>(&mark)) return *bad;
  return task_action_reply(
      service.mark_task(req.path_params[0], req.path_params[1], std::get<TaskMark>(mark)));
}

// A run's changes as server-sent events ("task", then "run" and "end"; docs/service.md).
HttpResponse HttpApi::Impl::run_events(const HttpRequest& req) {
  const std::string& run_id = req.path_params[0];
  if (auto bad = bad_query(req, {})) return *bad;
  if (auto bad = bad_path_part(run_id, "the run id")) return *bad;
  auto events = std::make_shared<EventStream>();
  if (service.subscribe_run_events(run_id, events) == Service::Subscription::kUnknownRun) {
    return HttpResponse::error(404, "no run with id '" + shown(run_id) +
                                        "' in the served workflows: GET /api/runs lists them");
  }
  return HttpResponse::event_stream(events);
}

// /livez and /metrics only read memory: they run on the I/O thread, where no slow database
// read on the handler threads can hold them up.
Router HttpApi::Impl::routes() {
  Router r;
  add(
      r, "GET", "/livez",
      [](const HttpRequest&) {
        return HttpResponse::json(200, {{"status", "ok"}});
      },
      RunOn::kIoThread);
  add(r, "GET", "/readyz", [this](const HttpRequest&) { return health(false, false); });
  add(r, "GET", "/health", [this](const HttpRequest&) { return health(true, true); });
  add(
      r, "GET", "/metrics",
      [this](const HttpRequest&) {
        return HttpResponse::text(200, service.metrics_text(),
                                  "text/plain; version=0.0.4; charset=utf-8");
      },
      RunOn::kIoThread);
  add(r, "GET", "/api/workflows", [this](const HttpRequest& req) {
    if (auto bad = bad_query(req, {})) return *bad;
    return HttpResponse::json(200, workflows_view(service));
  });
  add(r, "GET", "/api/plugins", [this](const HttpRequest& req) {
    if (auto bad = bad_query(req, {})) return *bad;
    return HttpResponse::json(200, plugins_view(service.plugin_registry().get()));
  });
  add(r, "GET", "/api/runs", [this](const HttpRequest& req) { return list_runs(req); });
  add(r, "GET", "/api/runs/{}", [this](const HttpRequest& req) { return show_run(req); });
  add(r, "POST", "/api/workflows/{}/runs",
      [this](const HttpRequest& req) { return start_run(req); });
  add(r, "POST", "/api/runs/{}/cancel", [this](const HttpRequest& req) { return cancel_run(req); });
  add(r, "GET", "/api/workflows/{}/graph.svg",
      [this](const HttpRequest& req) { return workflow_graph(req); });
  add(r, "GET", "/api/runs/{}/events", [this](const HttpRequest& req) { return run_events(req); });
  add(r, "POST", "/api/runs/{}/tasks/{}/reset",
      [this](const HttpRequest& req) { return reset_task(req); });
  add(r, "POST", "/api/runs/{}/tasks/{}/mark",
      [this](const HttpRequest& req) { return mark_task(req); });
  add(r, "GET", "/api/runs/{}/tasks/{}/log",
      [this](const HttpRequest& req) { return task_log(req); });
  add_dashboard_routes(r);
  return r;
}

HttpApi::HttpApi(Service& service, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>(service, std::move(log))) {
  Impl* impl = impl_.get();
  impl_->server = std::make_unique<HttpServer>(
      impl_->routes(), HttpLimits{},
      [impl](const HttpRequest& req) { return impl->check_token(req); });
}

HttpApi::~HttpApi() { stop(); }

int HttpApi::bind(const std::string& host, int port) { return impl_->server->bind(host, port); }

void HttpApi::start() { impl_->server->start(); }

void HttpApi::stop() { impl_->server->stop(); }

}  // namespace flowweaver
