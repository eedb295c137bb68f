// HttpServer on a real loopback socket with small limits and short timeouts: what it refuses,
// when, and how it streams events.
#include "http/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <thread>

#include "http/event_stream.h"
#include "http_client.h"

namespace flowweaver {
namespace {

using testing::closed_within;
using testing::connect_loopback;
using ::testing::HasSubstr;
using testing::HttpClient;
using testing::HttpReply;
using testing::read_reply;
using testing::read_until;
using testing::send_all;
using Clock = std::chrono::steady_clock;

HttpLimits small_limits() {
  HttpLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_body_bytes = 1024;
  limits.read_timeout = std::chrono::milliseconds(300);
  limits.idle_timeout = std::chrono::milliseconds(300);
  limits.max_connections = 4;
  limits.handler_threads = 2;
  return limits;
}

// A server with /echo (POST: the body back), /hello and /events (the test's event stream).
class ServerTest : public ::testing::Test {
 protected:
  void start(HttpLimits limits = small_limits(), HttpServer::HeadCheck check = {}) {
    Router router;
    router.add("GET", "/hello/{}", [](const HttpRequest& req) {
      return HttpResponse::json(200, {{"name", req.path_params[0]}});
    });
    router.add("POST", "/echo", [](const HttpRequest& req) {
      return HttpResponse::text(200, req.body, "text/plain");
    });
    router.add("GET", "/events", [this](const HttpRequest&) {
      std::lock_guard<std::mutex> lock(mutex_);
      events_ = std::make_shared<EventStream>();
      events_->send("hello", "first");
      changed_.notify_all();
      return HttpResponse::event_stream(events_);
    });
    server_ = std::make_unique<HttpServer>(std::move(router), limits, std::move(check));
    port_ = server_->bind("127.0.0.1", 0);
    server_->start();
  }

  std::shared_ptr<EventStream> wait_for_events() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(5), [this] { return events_ != nullptr; });
    return events_;
  }

  int port_ = 0;
  std::unique_ptr<HttpServer> server_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::shared_ptr<EventStream> events_;
};

int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

TEST_F(ServerTest, RoutesDecodePathPartsAndAnswerUnknownPathsAndMethodsInJson) {
  start();
  HttpClient client(port_);
  HttpReply hello = client.get("/hello/a%20b");
  EXPECT_EQ(hello.status, 200);
  EXPECT_THAT(hello.body, HasSubstr("\"name\": \"a b\""));
  HttpReply echo = client.post("/echo", {}, "ping");
  EXPECT_EQ(echo.body, "ping");
  HttpReply missing = client.get("/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("\"error\": \"no such endpoint\""));
  HttpReply wrong = client.request("DELETE", "/echo");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("Allow"), "POST");
  EXPECT_EQ(client.num_connects(), 1) << "the connection was not kept alive";
  HttpReply bad_query = client.get("/hello/x?a=%zz");
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_THAT(bad_query.body, HasSubstr("malformed request target"));
}

TEST_F(ServerTest, AnHttp10ClientAskingForKeepAliveIsToldItIsKept) {
  start();
  int fd = connect_loopback(port_);
  ASSERT_TRUE(send_all(fd, "GET /hello/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  HttpReply first = read_reply(fd);
  EXPECT_EQ(first.header("Connection"), "keep-alive");
  ASSERT_TRUE(send_all(fd, "GET /hello/y HTTP/1.0\r\n\r\n"));
  HttpReply second = read_reply(fd);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.header("Connection"), "close");
  ::close(fd);
}

TEST_F(ServerTest, AChunkedBodyWithinTheLimitIsReadWholeAndExpectContinueIsAnswered) {
  start();
  int fd = connect_loopback(port_);
  ASSERT_TRUE(send_all(fd,
                       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       "Expect: 100-continue\r\n\r\n"));
  HttpReply go_on = read_reply(fd);
  EXPECT_EQ(go_on.status, 100);
  ASSERT_TRUE(send_all(fd, "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  HttpReply echoed = read_reply(fd);
  EXPECT_EQ(echoed.status, 200);
  EXPECT_EQ(echoed.body, "abcde");
  ::close(fd);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  start();
  HttpClient client(port_);
  HttpReply r = client.get("/hello/x", {{"X-Big", std::string(2000, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_THAT(r.body, HasSubstr("exceed 1024 bytes"));
}

// The answer arrives while the body has not been sent at all.
TEST_F(ServerTest, AContentLengthOverTheLimitGets413BeforeTheBodyIsSent) {
  start();
  int fd = connect_loopback(port_);
  ASSERT_TRUE(send_all(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n"));
  HttpReply r = read_reply(fd);
  EXPECT_EQ(r.status, 413);
  EXPECT_THAT(r.body, HasSubstr("body exceeds 1024 bytes"));
  EXPECT_EQ(r.header("Connection"), "close");
  ::close(fd);
}

TEST_F(ServerTest, AChunkedBodyIsCutAtTheLimitWith413AndTheConnectionClosed) {
  start();
  int fd = connect_loopback(port_);
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) request += "200\r\n" + std::string(512, 'x') + "\r\n";
  ASSERT_TRUE(send_all(fd, request));  // 2 KiB of chunks, no last chunk: the server must stop
  HttpReply r = read_reply(fd);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(closed_within(fd, 2000));
  ::close(fd);
}

TEST_F(ServerTest, ASilentOrSlowConnectionIsClosedAtItsTimeout) {
  start();
  int silent = connect_loopback(port_);
  int slow = connect_loopback(port_);
  ASSERT_TRUE(send_all(slow, "GET /hel"));
  auto start = Clock::now();
  EXPECT_TRUE(closed_within(silent, 3000));
  EXPECT_TRUE(closed_within(slow, 3000));
  EXPECT_LT(ms_since(start), 2000);
  ::close(silent);
  ::close(slow);
  // A request that completes in time on a kept-alive connection is still served.
  HttpClient client(port_);
  EXPECT_EQ(client.get("/hello/x").status, 200);
}

TEST_F(ServerTest, ConnectionsOverTheLimitGet503AndAreClosed) {
  start();
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(connect_loopback(port_));
    ASSERT_TRUE(send_all(held.back(), "GET /hello/x HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_EQ(read_reply(held.back()).status, 200);
  }
  int extra = connect_loopback(port_);
  HttpReply busy = read_reply(extra);
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.header("Retry-After"), "1");
  EXPECT_TRUE(closed_within(extra, 2000));
  ::close(extra);
  for (int fd : held) ::close(fd);
  HttpClient client(port_);  // once they are gone, a new one is served
  EXPECT_TRUE([&] {
    for (int i = 0; i < 50; ++i) {
      if (client.get("/hello/x").status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }());
}

// A head check that refuses answers before the body is read, and the body is never read.
TEST_F(ServerTest, AHeadCheckRefusesBeforeTheBodyIsRead) {
  start(small_limits(), [](const HttpRequest& req) -> std::optional<HttpResponse> {
    if (req.header("Authorization") == "yes") return std::nullopt;
    return HttpResponse::error(401, "no");
  });
  int fd = connect_loopback(port_);
  ASSERT_TRUE(send_all(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
  EXPECT_EQ(read_reply(fd).status, 401);
  ::close(fd);
  HttpClient client(port_);
  EXPECT_EQ(client.post("/echo", {{"Authorization", "yes"}}, "ok").body, "ok");
}

TEST_F(ServerTest, AnEventStreamDeliversEventsPushedLaterAndEndsWhenClosed) {
  start();
  int fd = connect_loopback(port_);
  ASSERT_TRUE(send_all(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<EventStream> events = wait_for_events();
  ASSERT_TRUE(events);
  std::string received;
  ASSERT_TRUE(read_until(fd, &received, "data: first\n\n"));
  EXPECT_THAT(received, HasSubstr("Content-Type: text/event-stream"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(events->send("", "second\nline"));
  ASSERT_TRUE(read_until(fd, &received, "data: second\ndata: line\n\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(events->send("tick", "third"));
  ASSERT_TRUE(read_until(fd, &received, "event: tick\ndata: third\n\n"));
  events->close();
  EXPECT_TRUE(closed_within(fd, 2000));
  ::close(fd);
}

TEST_F(ServerTest, AnEventStreamReportsAClientThatWentAway) {
  start();
  int fd = connect_loopback(port_);
  ASSERT_TRUE(send_all(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<EventStream> events = wait_for_events();
  ASSERT_TRUE(events);
  ::close(fd);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !events->send("", "anyone?");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone);
}

TEST_F(ServerTest, StopEndsOpenStreamsAndConnections) {
  start();
  int fd = connect_loopback(port_);
  ASSERT_TRUE(send_all(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::shared_ptr<EventStream> events = wait_for_events();
  ASSERT_TRUE(events);
  int idle = connect_loopback(port_);
  server_->stop();
  EXPECT_FALSE(events->send("", "after stop"));
  EXPECT_TRUE(closed_within(idle, 1000));
  ::close(fd);
  ::close(idle);
}

TEST(HttpServerBind, ASecondServerOnTheSamePortFailsToBind) {
  HttpServer first(Router(), HttpLimits{});
  int port = first.bind("127.0.0.1", 0);
  HttpServer second(Router(), HttpLimits{});
  try {
    second.bind("127.0.0.1", port);
    ADD_FAILURE() << "bound a port already taken";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("Address already in use"));
  }
}

}  // namespace
}  // namespace flowweaver
