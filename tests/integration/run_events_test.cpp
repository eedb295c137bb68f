// GET /api/runs/ID/events end to end: a real `flowweaver serve`, clients reading the server-sent
// events over real sockets while the run goes on (docs/service.md, "Following a run").
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "flowweaver_process.h"
#include "http_client.h"
#include "served_workflows.h"

namespace flowweaver::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;
namespace fs = std::filesystem;

// `first` waits for the file `go`, which a test writes once its clients have subscribed; `flaky`
// fails once and passes on its retry; `convert` is a foreach of three items.
std::string workflow_text(const fs::path& dir) {
  return R"(name: events
tasks:
  - name: first
    uses: shell.run
    with:
      shell: true
      command: "while [ ! -f ')" +
         (dir / "go").string() + R"(' ]; do sleep 0.02; done"
  - name: flaky
    uses: shell.run
    depends_on: [first]
    retries: 1
    retry_delay: 100ms
    with:
      shell: true
      command: "test -f ')" +
         (dir / "flaky.seen").string() + "' || { touch '" + (dir / "flaky.seen").string() +
         R"(' ; echo boom >&2; exit 1; }"
  - name: convert
    uses: shell.run
    depends_on: [first]
    foreach: [a, b, c]
    with:
      command: ["echo", "${item}"]
)";
}

// One server-sent event.
struct Event {
  std::string name;
  Json data;
};

// The events in `text` (a stream read so far), in order; comment lines left out.
std::vector<Event> parse_events(const std::string& text) {
  std::vector<Event> events;
  size_t body = text.find("\r\n\r\n");
  std::istringstream lines(text.substr(body == std::string::npos ? 0 : body + 4));
  std::string line;
  Event current;
  while (std::getline(lines, line)) {
    if (line.rfind("event: ", 0) == 0) current.name = line.substr(7);
    if (line.rfind("data: ", 0) == 0) current.data = Json::parse(line.substr(6), nullptr, false);
    if (line.empty() && !current.name.empty()) {
      events.push_back(current);
      current = Event{};
    }
  }
  return events;
}

// Opens GET /api/runs/RUN/events on a socket of its own; the socket, or -1.
int subscribe(int port, const std::string& run_id, const std::string& extra_headers = "") {
  int fd = connect_loopback(port, 15000);
  if (fd >= 0 && !send_all(fd, "GET /api/runs/" + run_id + "/events HTTP/1.1\r\nHost: x\r\n" +
                                   extra_headers + "\r\n")) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string start_run(ServedWorkflows& s, const Headers& headers = {}) {
  HttpReply r = s.post("/api/workflows/events/runs", "", headers);
  EXPECT_EQ(r.status, 201) << r.body << s.err();
  Json body = Json::parse(r.body, nullptr, false);
  return body.is_object() ? body.value("run_id", "") : "";
}

// The statuses the events gave `task`, in order.
std::vector<std::string> statuses_of(const std::vector<Event>& events, const std::string& task) {
  std::vector<std::string> statuses;
  for (const Event& e : events) {
    if (e.name == "task" && e.data.value("task", "") == task) {
      statuses.push_back(e.data.value("status", ""));
    }
  }
  return statuses;
}

TEST(RunEventsTest, ClientsSeeEveryTaskChangeThenTheRunsEndAndAFinishedRunEndsAtOnce) {
  TempDir dir;
  ServedWorkflows s(dir, workflow_text(dir.path()));
  std::string run_id = start_run(s);
  ASSERT_FALSE(run_id.empty());
  int first = subscribe(s.port(), run_id);
  int second = subscribe(s.port(), run_id);
  int leaver = subscribe(s.port(), run_id);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  ASSERT_GE(leaver, 0);
  std::string leaver_read;
  ASSERT_TRUE(read_until(leaver, &leaver_read, "text/event-stream")) << leaver_read;
  ::close(leaver);  // goes away early: the run must not mind
  // Each is subscribed once its reply has begun.
  std::string received, other;
  ASSERT_TRUE(read_until(first, &received, "text/event-stream")) << received;
  ASSERT_TRUE(read_until(second, &other, "text/event-stream")) << other;
  dir.write("go", "");

  ASSERT_TRUE(read_until(first, &received, "event: end\n")) << received << s.err();
  std::vector<Event> events = parse_events(received);
  ASSERT_GE(events.size(), 3u) << received;
  EXPECT_EQ(events.back().name, "end");
  const Event& run = events[events.size() - 2];
  EXPECT_EQ(run.name, "run") << received;
  EXPECT_EQ(run.data.value("run_id", ""), run_id);
  EXPECT_EQ(run.data.value("status", ""), "COMPLETED") << received;
  EXPECT_TRUE(run.data["finished_at"].is_string()) << received;
  EXPECT_TRUE(closed_within(first, 5000));
  ::close(first);

  EXPECT_EQ(statuses_of(events, "first").back(), "COMPLETED") << received;
  // A failed attempt leaves it PENDING with its retry's time, then it runs again.
  EXPECT_THAT(statuses_of(events, "flaky"),
              ::testing::ElementsAre("RUNNING", "PENDING", "RUNNING", "COMPLETED"))
      << received;
  for (const Event& e : events) {
    if (e.name != "task" || e.data.value("task", "") != "flaky") continue;
    if (e.data.value("status", "") == "PENDING") {
      EXPECT_THAT(e.data.value("error", ""), HasSubstr("exit"));
      EXPECT_TRUE(e.data["next_attempt_at"].is_string()) << e.data.dump();
    }
    if (e.data.value("status", "") == "COMPLETED") {
      EXPECT_EQ(e.data.value("attempts", 0), 2);
      EXPECT_TRUE(e.data["duration_ms"].is_number()) << e.data.dump();
      EXPECT_TRUE(e.data["parent_task"].is_null());
    }
  }
  for (const char* item : {"convert[0]", "convert[1]", "convert[2]"}) {
    EXPECT_EQ(statuses_of(events, item).back(), "COMPLETED") << item << "\n" << received;
  }
  Json item_done;
  for (const Event& e : events) {
    if (e.data.value("task", "") == "convert[2]") item_done = e.data;
  }
  EXPECT_EQ(item_done.value("parent_task", ""), "convert");
  EXPECT_EQ(item_done.value("item_index", -1), 2);
  EXPECT_THAT(statuses_of(events, "convert"), ::testing::ElementsAre("RUNNING", "COMPLETED"));

  // The second client got the same events, but for the first task's start, which may come
  // before either subscription: either client may have missed it, independently of the other.
  ASSERT_TRUE(read_until(second, &other, "event: end\n")) << other;
  std::vector<Event> other_events = parse_events(other);
  const std::vector<Event>& longer = other_events.size() > events.size() ? other_events : events;
  const std::vector<Event>& shorter = other_events.size() > events.size() ? events : other_events;
  size_t skipped = longer.size() - shorter.size();
  EXPECT_LE(skipped, 1u) << received << "\n---\n" << other;
  for (size_t i = 0; i < shorter.size(); ++i) {
    EXPECT_EQ(shorter[i].name, longer[skipped + i].name);
    EXPECT_EQ(shorter[i].data, longer[skipped + i].data);
  }
  ::close(second);

  // Every event's row is the row GET /api/runs/ID shows, once the run is over.
  Json shown = Json::parse(s.get("/api/runs/" + run_id).body, nullptr, false);
  ASSERT_TRUE(shown.is_object());
  for (const Json& task : shown["tasks"]) {
    Json last;
    for (const Event& e : events) {
      if (e.name == "task" && e.data.value("task", "") == task.value("task", "")) last = e.data;
    }
    ASSERT_TRUE(last.is_object()) << task.dump();
    for (const char* key : {"status", "attempts", "error", "started_at", "finished_at", "output"}) {
      EXPECT_EQ(last[key], task[key]) << key << " of " << task.dump();
    }
  }

  // A finished run: its run event and end at once.
  int late = subscribe(s.port(), run_id);
  std::string late_read;
  ASSERT_TRUE(read_until(late, &late_read, "event: end\n")) << late_read;
  std::vector<Event> late_events = parse_events(late_read);
  ASSERT_EQ(late_events.size(), 2u) << late_read;
  EXPECT_EQ(late_events[0].name, "run");
  EXPECT_EQ(late_events[0].data.value("status", ""), "COMPLETED");
  EXPECT_TRUE(closed_within(late, 5000));
  ::close(late);
  EXPECT_EQ(s.stop(), 0) << s.err();
}

TEST(RunEventsTest, UnknownRunsBadRequestsAndTheTokenAreRefusedWithJson) {
  TempDir dir;
  dir.write("go", "");
  ServedWorkflows s(dir, workflow_text(dir.path()), "token: s3cret\n");
  Headers auth{{"Authorization", "Bearer s3cret"}};
  HttpReply no_token = s.get("/api/runs/x/events");
  EXPECT_EQ(no_token.status, 401) << no_token.body;
  HttpReply unknown = s.get("/api/runs/nope/events", auth);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_THAT(Json::parse(unknown.body, nullptr, false).value("error", ""),
              HasSubstr("no run with id 'nope'"));
  HttpReply extra = s.get("/api/runs/nope/events?follow=1", auth);
  EXPECT_EQ(extra.status, 400) << extra.body;
  EXPECT_THAT(extra.body, HasSubstr("unknown query parameter 'follow'"));
  HttpReply bad_utf8 = s.get("/api/runs/%FF/events", auth);
  EXPECT_EQ(bad_utf8.status, 400) << bad_utf8.body;

  std::string run_id = start_run(s, auth);
  ASSERT_FALSE(run_id.empty());
  int fd = subscribe(s.port(), run_id, "Authorization: Bearer s3cret\r\n");
  std::string received;
  ASSERT_TRUE(read_until(fd, &received, "event: end\n")) << received;
  EXPECT_THAT(received, HasSubstr("event: task\n"));
  ::close(fd);
  EXPECT_EQ(s.stop(), 0) << s.err();
}

}  // namespace
}  // namespace flowweaver::testing
