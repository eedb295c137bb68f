#include "http/http_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <future>
#include <thread>

#include "http/http_session.h"
#include "util/error.h"

namespace flowweaver {

namespace net = boost::asio;
using boost::system::error_code;
using net::ip::tcp;

struct HttpServer::Impl {
  Impl(Router router, HttpLimits limits, HeadCheck check_head)
      : handler_threads(limits.handler_threads), context(std::make_shared<SessionContext>()) {
    context->router = std::move(router);
    context->limits = limits;
    context->check_head = std::move(check_head);
    context->handler_threads = &handler_threads;
  }

  void accept();
  void on_accepted(tcp::socket socket);
  void refuse_busy(tcp::socket socket);
  void close_all();

  // Declared first, destroyed last: sessions still queued anywhere hold its sockets.
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  net::steady_timer retry_timer{io};
  net::thread_pool handler_threads;
  std::shared_ptr<SessionContext> context;
  // Keeps io.run() going while nothing is pending, until stop() has finished with it.
  net::executor_work_guard<net::io_context::executor_type> keep_running{io.get_executor()};
  std::thread thread;
  bool stopped = false;
};

void HttpServer::Impl::accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      on_accepted(std::move(socket));
      return accept();
    }
    // Out of file descriptors, most likely: try again shortly rather than spin.
    retry_timer.expires_after(std::chrono::milliseconds(100));
    retry_timer.async_wait([this](error_code wait_ec) {
      if (!wait_ec) accept();
    });
  });
}

void HttpServer::Impl::on_accepted(tcp::socket socket) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (context->num_connections.load() >= context->limits.max_connections) {
    return refuse_busy(std::move(socket));
  }
  std::make_shared<HttpSession>(std::move(socket), context)->start();
}

// Answers 503 without reading the request, in one non-blocking write to an empty socket buffer.
void HttpServer::Impl::refuse_busy(tcp::socket socket) {
  static const std::string kBusy = [] {
    std::string body = HttpResponse::error(503, "too many connections; try again shortly").body;
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(net::buffer(kBusy), ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

void HttpServer::Impl::close_all() {
  error_code ignored;
  acceptor.close(ignored);
  retry_timer.cancel();
  std::vector<std::shared_ptr<HttpSession>> open;
  {
    std::lock_guard<std::mutex> lock(context->open_mutex);
    for (auto& [raw, weak] : context->open) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->close();
}

HttpServer::HttpServer(Router router, HttpLimits limits, HeadCheck check_head)
    : impl_(std::make_unique<Impl>(std::move(router), limits, std::move(check_head))) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind(const std::string& host, int port) {
  auto fail = [&](const error_code& ec) {
    return Error::IO("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message() +
                     " (set `listen` in the config or use --listen)");
  };
  error_code ec;
  tcp::resolver resolver(impl_->io);
  auto endpoints = resolver.resolve(host, std::to_string(port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) throw fail(ec);
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  tcp::acceptor& acceptor = impl_->acceptor;
  if (acceptor.open(endpoint.protocol(), ec) ||
      acceptor.set_option(tcp::acceptor::reuse_address(true), ec) || acceptor.bind(endpoint, ec) ||
      acceptor.listen(net::socket_base::max_listen_connections, ec)) {
    error_code ignored;
    acceptor.close(ignored);
    throw fail(ec);
  }
  return acceptor.local_endpoint().port();
}

void HttpServer::start() {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void HttpServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (!impl_->thread.joinable()) {
    impl_->close_all();
    return;
  }
  auto on_io_thread = [this](std::function<void()> work) {
    std::promise<void> done;
    net::post(impl_->io, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  };
  on_io_thread([this] { impl_->close_all(); });
  impl_->handler_threads.join();  // a handler in progress finishes...
  on_io_thread([] {});            // ...and its answer reaches its closed session, and goes nowhere
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace flowweaver
