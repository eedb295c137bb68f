// A small HTTP/1.1 client over a blocking socket, for tests: one kept-alive connection to
// 127.0.0.1:port, reopened when the server closed it. Also raw sockets for hostile clients.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace flowweaver::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = -1;   // -1: no HTTP response at all (`body` says why)
  std::string head;  // status line and headers
  std::string body;
  // The first header named `name` (any case), or "".
  std::string header(const std::string& name) const;
};

// A connected TCP socket to 127.0.0.1:port (receive timeout `timeout_ms`), or -1.
int connect_loopback(int port, int timeout_ms = 5000);
bool send_all(int fd, const std::string& bytes);
// Reads one response (headers, then a Content-Length body or up to the close).
HttpReply read_reply(int fd);
// Reads from `fd` into `received` until it holds `text`; false when the peer closed first or
// the receive timed out.
bool read_until(int fd, std::string* received, const std::string& text);
// True when the peer has closed `fd` (a read returns 0 or a reset) within `timeout_ms`.
bool closed_within(int fd, int timeout_ms);

class HttpClient {
 public:
  explicit HttpClient(int port, int timeout_ms = 10000) : port_(port), timeout_ms_(timeout_ms) {}
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply request(const std::string& method, const std::string& target,
                    const Headers& headers = {}, const std::string& body = "");
  HttpReply get(const std::string& target, const Headers& headers = {}) {
    return request("GET", target, headers);
  }
  HttpReply post(const std::string& target, const Headers& headers = {},
                 const std::string& body = "") {
    return request("POST", target, headers, body);
  }
  // How many connections were opened so far (1 while one is reused).
  int num_connects() const { return num_connects_; }

 private:
  HttpReply exchange(const std::string& bytes);
  void disconnect();

  int port_;
  int timeout_ms_;
  int fd_ = -1;
  int num_connects_ = 0;
};

}  // namespace flowweaver::testing
