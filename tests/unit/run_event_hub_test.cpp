// RunEventHub (service/run_event_hub.h): which clients get a run's events, and when they end.
// The thread test is there for the TSan build (make test-tsan).
#include "service/run_event_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "http/event_stream.h"

namespace flowweaver {
namespace {

std::string taken(EventStream& events, bool* closed) { return events.take_pending(closed); }

TEST(RunEventHubTest, OnlyTheSubscribersOfAnOpenRunGetItsEventsUntilItFinishes) {
  RunEventHub hub;
  auto early = std::make_shared<EventStream>();
  EXPECT_FALSE(hub.subscribe("r1", early)) << "no run r1 is open";

  std::shared_ptr<RunEventChannel> channel = hub.open("r1");
  EXPECT_FALSE(channel->has_listeners());
  auto a = std::make_shared<EventStream>();
  auto b = std::make_shared<EventStream>();
  auto other = std::make_shared<EventStream>();
  ASSERT_TRUE(hub.subscribe("r1", a));
  ASSERT_TRUE(hub.subscribe("r1", b));
  std::shared_ptr<RunEventChannel> other_channel = hub.open("r2");
  ASSERT_TRUE(hub.subscribe("r2", other));
  EXPECT_TRUE(channel->has_listeners());

  channel->send("task", R"({"task": "load"})");
  bool closed = false;
  EXPECT_EQ(taken(*a, &closed), "event: task\ndata: {\"task\": \"load\"}\n\n");
  EXPECT_FALSE(closed);
  b->detach();  // its client went away: dropped at the next event
  channel->send("task", R"({"task": "load", "status": "COMPLETED"})");
  EXPECT_TRUE(channel->has_listeners());
  EXPECT_EQ(taken(*other, &closed), "") << "r2's client hears nothing of r1";

  hub.finish("r1", R"({"run_id": "r1", "status": "COMPLETED"})");
  std::string rest = taken(*a, &closed);
  EXPECT_EQ(rest,
            "event: task\ndata: {\"task\": \"load\", \"status\": \"COMPLETED\"}\n\n"
            "event: run\ndata: {\"run_id\": \"r1\", \"status\": \"COMPLETED\"}\n\n"
            "event: end\ndata: {}\n\n");
  taken(*a, &closed);
  EXPECT_TRUE(closed);
  EXPECT_FALSE(channel->has_listeners());
  EXPECT_FALSE(hub.subscribe("r1", std::make_shared<EventStream>())) << "r1 is over";
  EXPECT_FALSE(channel->add(std::make_shared<EventStream>())) << "a late add is refused";
  EXPECT_TRUE(other->is_open());
}

TEST(RunEventHubTest, ARunThatStoppedOnAnErrorEndsItsStreamsWithoutARunEvent) {
  RunEventHub hub;
  hub.open("r1");
  auto a = std::make_shared<EventStream>();
  ASSERT_TRUE(hub.subscribe("r1", a));
  hub.finish("r1", std::nullopt);
  bool closed = false;
  EXPECT_EQ(a->take_pending(&closed), "event: end\ndata: {}\n\n");
}

TEST(RunEventHubTest, KeepAliveCommentsReachEveryListenerAndTheHubEndsThemWhenDestroyed) {
  auto a = std::make_shared<EventStream>();
  {
    RunEventHub hub(std::chrono::milliseconds(5));
    hub.open("r1");
    ASSERT_TRUE(hub.subscribe("r1", a));
    std::string got;
    bool closed = false;
    for (int i = 0; i < 400 && got.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      got = a->take_pending(&closed);
    }
    EXPECT_EQ(got.substr(0, 14), ": keep-alive\n\n");
  }
  EXPECT_FALSE(a->is_open());
}

// A run thread sends while clients come and go and keep-alives go out.
TEST(RunEventHubTest, SendingSubscribingAndLeavingOnManyThreadsAtOnce) {
  RunEventHub hub(std::chrono::milliseconds(1));
  std::shared_ptr<RunEventChannel> channel = hub.open("r1");
  std::atomic<bool> done{false};
  std::thread run([&] {
    for (int i = 0; i < 2000; ++i) {
      if (channel->has_listeners()) channel->send("task", "{\"n\": " + std::to_string(i) + "}");
    }
    hub.finish("r1", "{}");
    done = true;
  });
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      while (!done) {
        auto events = std::make_shared<EventStream>();
        if (!hub.subscribe("r1", events)) break;
        bool closed = false;
        events->take_pending(&closed);
        events->detach();
      }
    });
  }
  run.join();
  for (std::thread& t : clients) t.join();
  EXPECT_FALSE(channel->has_listeners());
}

}  // namespace
}  // namespace flowweaver
