#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace flowweaver::testing {

std::string HttpReply::header(const std::string& name) const {
  size_t line = head.find("\r\n");
  while (line != std::string::npos && line + 2 < head.size()) {
    size_t begin = line + 2;
    size_t end = head.find("\r\n", begin);
    std::string field = head.substr(begin, end - begin);
    size_t colon = field.find(':');
    if (colon == name.size() && ::strncasecmp(field.c_str(), name.c_str(), colon) == 0) {
      size_t value = field.find_first_not_of(' ', colon + 1);
      return value == std::string::npos ? "" : field.substr(value);
    }
    line = end;
  }
  return "";
}

int connect_loopback(int port, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int yes = 1;  // as any HTTP client does: no waiting on delayed ACKs
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  for (size_t sent = 0; sent < bytes.size();) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

HttpReply read_reply(int fd) {
  HttpReply reply;
  std::string data;
  char buffer[16384];
  size_t end = std::string::npos;
  while ((end = data.find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      reply.body = data.empty() ? (n == 0 ? "connection closed" : std::strerror(errno)) : data;
      return reply;
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  reply.head = data.substr(0, end + 2);
  reply.body = data.substr(end + 4);
  if (reply.head.rfind("HTTP/1.", 0) != 0 || reply.head.size() < 12) return reply;
  reply.status = std::stoi(reply.head.substr(9, 3));
  if (reply.status / 100 == 1 || reply.status == 204 || reply.status == 304) return reply;
  std::string length = reply.header("Content-Length");
  bool to_close = length.empty();
  size_t wanted = to_close ? 0 : std::stoul(length);
  while (to_close || reply.body.size() < wanted) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.body.append(buffer, static_cast<size_t>(n));
  }
  return reply;
}

bool read_until(int fd, std::string* received, const std::string& text) {
  char buffer[4096];
  while (received->find(text) == std::string::npos) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    received->append(buffer, static_cast<size_t>(n));
  }
  return true;
}

bool closed_within(int fd, int timeout_ms) {
  char buffer[4096];
  pollfd p{fd, POLLIN, 0};
  for (int left = timeout_ms; left > 0; left -= 10) {
    if (::poll(&p, 1, 10) > 0) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN)) return true;
    }
  }
  return false;
}

HttpClient::~HttpClient() { disconnect(); }

void HttpClient::disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              const Headers& headers, const std::string& body) {
  std::string bytes = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) bytes += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  bytes += "\r\n" + body;
  bool reused = fd_ >= 0;
  HttpReply reply = exchange(bytes);
  // A kept-alive connection the server closed meanwhile: once more on a new one.
  if (reply.status < 0 && reused) reply = exchange(bytes);
  return reply;
}

HttpReply HttpClient::exchange(const std::string& bytes) {
  if (fd_ < 0) {
    fd_ = connect_loopback(port_, timeout_ms_);
    if (fd_ < 0) return {-1, "", std::string("cannot connect: ") + std::strerror(errno)};
    ++num_connects_;
  }
  // A server may answer and close before it read everything (a body over its limit): the
  // answer is read even when sending failed.
  send_all(fd_, bytes);
  HttpReply reply = read_reply(fd_);
  if (reply.status < 0 || reply.header("Connection") == "close") disconnect();
  return reply;
}

}  // namespace flowweaver::testing
