// One accepted connection of HttpServer: reads requests one after another with the limits and
// timeouts of HttpLimits, runs their handlers and writes the responses (or an event stream).
// Lives on the server's I/O thread; owned by the operations it has pending.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "http/event_stream.h"
#include "http/http_server.h"

namespace flowweaver {

class HttpSession;

// What every session of one server shares.
struct SessionContext {
  Router router;
  HttpLimits limits;
  HttpServer::HeadCheck check_head;
  boost::asio::thread_pool* handler_threads = nullptr;
  std::atomic<size_t> num_connections{0};

  // Open sessions, so that stop() can close them.
  std::mutex open_mutex;
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> open;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionContext> context);
  ~HttpSession();
  void start();
  void close();  // on the I/O thread

 private:
  void wait_for_request();
  void read_header();
  void on_header(boost::system::error_code ec);
  void route();
  void read_body();
  void on_body(boost::system::error_code ec);
  void dispatch();
  void respond(HttpResponse response, bool keep_alive);
  void refuse(int status, const std::string& message);
  void start_events(std::shared_ptr<EventStream> events, std::string head);
  void listen_to_events();
  void pump_events();
  void write_events(void (HttpSession::*then)());
  void watch_for_hangup();
  void linger_close();
  void drain(size_t budget);
  bool fill_request();
  bool body_pending() const;
  bool looks_like_tls() const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<SessionContext> context_;
  HttpRequest request_;
  const Router::Route* route_ = nullptr;
  std::string out_;  // the bytes being written
  char scratch_[4096];
  std::shared_ptr<EventStream> events_;
  bool http10_ = false;  // the request being answered is HTTP/1.0
  bool writing_events_ = false;
  bool closed_ = false;
};

}  // namespace flowweaver
