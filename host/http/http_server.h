// An event-driven HTTP/1.1 server (Boost.Beast over Boost.Asio): one I/O thread serves every
// connection, so clients that send slowly, or hold connections open and say nothing, cost a
// socket and a few kilobytes each, never a thread. Handlers that may block run on a small fixed
// pool of handler threads (see RunOn in router.h).
//
// What it refuses, before reading further: headers over `max_header_bytes` (431); a body over
// `max_body_bytes`, from its Content-Length at once or counted as chunks arrive (413); anything
// that is not HTTP (400); a request the head check refuses (e.g. 401 without the token); a
// connection over `max_connections` (503). Refused requests that have a body are answered and
// the connection closed, so the body is never read. Every accepted socket has TCP_NODELAY: a
// reply on a kept-alive connection goes out at once rather than waiting on a delayed ACK.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/http_message.h"
#include "http/router.h"

namespace flowweaver {

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;  // request line and headers
  size_t max_body_bytes = 64 * 1024;
  // From a request's first byte to its last: a client sending a byte a second is cut off.
  std::chrono::milliseconds read_timeout{10000};
  // Waiting for the first byte of a request, on a new or a kept-alive connection.
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds write_timeout{10000};  // each write of a response or event
  size_t max_connections = 512;
  size_t handler_threads = 4;
};

class HttpServer {
 public:
  // Runs on the I/O thread once a request's headers are in and its route is known, before its
  // body is read; a response it returns is sent instead of calling the handler. Must not block.
  using HeadCheck = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  HttpServer(Router router, HttpLimits limits, HeadCheck check_head = {});
  ~HttpServer();  // stops serving

  // Binds `host:port` with SO_REUSEADDR (but not SO_REUSEPORT: a second server on the same port
  // must fail) and returns the port (port 0 picks a free one). Throws Error::IO.
  int bind(const std::string& host, int port);
  void start();  // serves on a thread of its own
  // Closes every connection (an event stream's producer sees send() fail) and joins the
  // threads; handlers in progress finish first. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flowweaver
