#include "http/http_session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <exception>

#include "http/request_target.h"

namespace flowweaver {

namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

// What a lingering close reads and drops at most before closing: enough for the rest of a
// refused body in flight, so that the client reads the answer rather than a connection reset.
constexpr size_t kLingerBytes = 256 * 1024;
constexpr std::chrono::milliseconds kLingerTimeout{500};

std::string status_line(int status) {
  std::string reason(http::obsolete_reason(static_cast<http::status>(status)));
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
}

// Status line and headers; Content-Length only when the body is not a stream.
std::string response_head(const HttpResponse& r, bool keep_alive, bool http10) {
  std::string head = status_line(r.status);
  if (!r.content_type.empty()) head += "Content-Type: " + r.content_type + "\r\n";
  for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
  if (!r.events) head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!keep_alive) head += "Connection: close\r\n";
  if (keep_alive && http10) head += "Connection: keep-alive\r\n";  // 1.0 closes unless told
  return head + "\r\n";
}

// Timeouts, resets and the client closing end a connection without an answer.
bool is_hangup(const error_code& ec) {
  return ec == boost::beast::error::timeout || ec == http::error::end_of_stream ||
         ec == http::error::partial_message || ec == net::error::eof ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::bad_descriptor;
}

HttpResponse run_handler(const Router::Route& route, const HttpRequest& request) {
  try {
    return route.handler(request);
  } catch (const std::exception& e) {
    return HttpResponse::error(500, e.what());
  } catch (...) {
    return HttpResponse::error(500, "internal error");
  }
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket socket, std::shared_ptr<SessionContext> context)
    : stream_(std::move(socket)), context_(std::move(context)) {
  ++context_->num_connections;
}

HttpSession::~HttpSession() {
  if (events_) events_->detach();
  {
    std::lock_guard<std::mutex> lock(context_->open_mutex);
    context_->open.erase(this);
  }
  --context_->num_connections;
}

void HttpSession::start() {
  {
    std::lock_guard<std::mutex> lock(context_->open_mutex);
    context_->open.emplace(this, weak_from_this());
  }
  wait_for_request();
}

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  if (events_) events_->detach();
  error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

// Waits for a request's first byte under the idle timeout; the rest comes under the read one.
void HttpSession::wait_for_request() {
  request_ = HttpRequest();
  route_ = nullptr;
  if (buffer_.size() > 0) return read_header();
  stream_.expires_after(context_->limits.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](error_code ec, size_t n) {
                            if (ec) return self->close();
                            self->buffer_.commit(n);
                            self->read_header();
                          });
}

void HttpSession::read_header() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_->limits.max_header_bytes));
  parser_->body_limit(context_->limits.max_body_bytes);
  stream_.expires_after(context_->limits.read_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, size_t) { self->on_header(ec); });
}

void HttpSession::on_header(error_code ec) {
  const HttpLimits& limits = context_->limits;
  if (ec == http::error::header_limit) {
    return refuse(431, "the request's line and headers exceed " +
                           std::to_string(limits.max_header_bytes) + " bytes");
  }
  if (ec == http::error::body_limit) {
    return refuse(413,
                  "the request's body exceeds " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  if (ec && is_hangup(ec)) return close();
  if (ec && looks_like_tls()) {
    return refuse(400, "this port speaks plain HTTP, not TLS: use http://, not https://");
  }
  if (ec) return refuse(400, "malformed request: " + ec.message());
  if (fill_request()) route();
}

// Finds the request's handler and lets the head check see the request, both before its body
// is read; then reads the body, if any, and runs the handler.
void HttpSession::route() {
  Router::Match match = context_->router.find(request_.method, request_.path);
  if (!match.route) {
    HttpResponse r =
        HttpResponse::error(match.status, match.status == 405   ? "method not allowed"
                                          : match.status == 400 ? "bad percent-encoding in the path"
                                                                : "no such endpoint");
    if (match.status == 405) r.headers.emplace_back("Allow", match.allow);
    return respond(std::move(r), parser_->keep_alive() && !body_pending());
  }
  route_ = match.route;
  request_.path_params = std::move(match.params);
  if (context_->check_head) {
    if (std::optional<HttpResponse> refused = context_->check_head(request_)) {
      return respond(std::move(*refused), parser_->keep_alive() && !body_pending());
    }
  }
  if (!body_pending()) return dispatch();
  if (boost::beast::iequals(request_.header("Expect"), "100-continue")) {
    out_ = "HTTP/1.1 100 Continue\r\n\r\n";
    return net::async_write(stream_, net::buffer(out_),
                            [self = shared_from_this()](error_code ec, size_t) {
                              if (ec) return self->close();
                              self->read_body();
                            });
  }
  read_body();
}

// The request's line and headers into request_; false (and a 400 sent) when the target is bad.
bool HttpSession::fill_request() {
  const auto& message = parser_->get();
  request_.method = std::string(message.method_string());
  http10_ = message.version() == 10;
  request_.target = std::string(message.target());
  for (const auto& field : message) {
    request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  std::string_view target = request_.target;
  size_t question = target.find('?');
  request_.path = std::string(target.substr(0, question));
  std::optional<HttpFields> query =
      parse_query(question == std::string_view::npos ? "" : target.substr(question + 1));
  if (request_.path.empty() || request_.path.front() != '/' || !query) {
    refuse(400,
           "malformed request target: a path starting with '/' and a query of "
           "percent-encoded name=value pairs");
    return false;
  }
  request_.query = std::move(*query);
  return true;
}

// A TLS record starts with its content type, 22 for a handshake; no HTTP method does.
bool HttpSession::looks_like_tls() const {
  return buffer_.size() > 0 && static_cast<const unsigned char*>(buffer_.data().data())[0] == 0x16;
}

bool HttpSession::body_pending() const { return !parser_->is_done(); }

void HttpSession::read_body() {
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, size_t) { self->on_body(ec); });
}

void HttpSession::on_body(error_code ec) {
  if (ec == http::error::body_limit) {
    return refuse(413, "the request's body exceeds " +
                           std::to_string(context_->limits.max_body_bytes) + " bytes");
  }
  if (ec && is_hangup(ec)) return close();
  if (ec) return refuse(400, "malformed request body: " + ec.message());
  dispatch();
}

void HttpSession::dispatch() {
  request_.body = std::move(parser_->get().body());
  bool keep_alive = parser_->keep_alive();
  stream_.expires_never();
  if (route_->run_on == RunOn::kIoThread)
    return respond(run_handler(*route_, request_), keep_alive);
  net::post(*context_->handler_threads, [self = shared_from_this(), keep_alive] {
    HttpResponse response = run_handler(*self->route_, self->request_);
    net::post(self->stream_.get_executor(),
              [self, keep_alive, response = std::move(response)]() mutable {
                self->respond(std::move(response), keep_alive);
              });
  });
}

void HttpSession::respond(HttpResponse response, bool keep_alive) {
  if (closed_) {
    if (response.events) response.events->detach();  // its producer learns nobody listens
    return;
  }
  if (response.events) {
    std::shared_ptr<EventStream> events = response.events;
    return start_events(std::move(events), response_head(response, false, false));
  }
  out_ = response_head(response, keep_alive, http10_) + response.body;
  stream_.expires_after(context_->limits.write_timeout);
  net::async_write(stream_, net::buffer(out_),
                   [self = shared_from_this(), keep_alive](error_code ec, size_t) {
                     if (ec) return self->close();
                     if (keep_alive) return self->wait_for_request();
                     self->linger_close();
                   });
}

void HttpSession::refuse(int status, const std::string& message) {
  respond(HttpResponse::error(status, message), false);
}

// Closes the sending side, then reads (and drops) what the client still sends for a moment:
// closing a socket with unread data resets the connection, and a client may lose the answer.
void HttpSession::linger_close() {
  error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  drain(kLingerBytes);
}

void HttpSession::drain(size_t budget) {
  stream_.async_read_some(net::buffer(scratch_),
                          [self = shared_from_this(), budget](error_code ec, size_t n) {
                            if (ec || n >= budget) return self->close();
                            self->drain(budget - n);
                          });
}

void HttpSession::start_events(std::shared_ptr<EventStream> events, std::string head) {
  events_ = std::move(events);
  out_ = std::move(head);
  write_events(&HttpSession::listen_to_events);
}

// The head is out: from now on the producer's pushes wake the session.
void HttpSession::listen_to_events() {
  watch_for_hangup();
  std::weak_ptr<HttpSession> weak = shared_from_this();
  auto executor = stream_.get_executor();
  events_->attach([weak, executor] {
    net::post(executor, [weak] {
      if (auto session = weak.lock()) session->pump_events();
    });
  });
}

void HttpSession::pump_events() {
  if (writing_events_ || closed_) return;
  bool over = false;
  out_ = events_->take_pending(&over);
  if (out_.empty()) {
    if (over) {
      // The hang-up watch reads what the client still sends until it closes, or the timeout.
      error_code ignored;
      stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
      stream_.expires_after(kLingerTimeout);
    }
    return;
  }
  write_events(&HttpSession::pump_events);
}

// Writes out_ within the write timeout, then calls `then`; a stream waits without a timeout.
void HttpSession::write_events(void (HttpSession::*then)()) {
  writing_events_ = true;
  stream_.expires_after(context_->limits.write_timeout);
  net::async_write(stream_, net::buffer(out_),
                   [self = shared_from_this(), then](error_code ec, size_t) {
                     self->writing_events_ = false;
                     if (ec) return self->close();
                     self->stream_.expires_never();
                     ((*self).*then)();
                   });
}

// A client of an event stream sends nothing more; a read that ends means it went away.
void HttpSession::watch_for_hangup() {
  stream_.async_read_some(net::buffer(scratch_),
                          [self = shared_from_this()](error_code ec, size_t) {
                            if (ec) return self->close();
                            self->watch_for_hangup();
                          });
}

}  // namespace flowweaver
