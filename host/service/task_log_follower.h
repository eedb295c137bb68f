// Streams task attempts' logs to clients as they grow (GET /api/runs/ID/tasks/NAME/log?follow=1):
// one thread reads every followed log a few times a second and pushes what is new into each
// client's event stream, so no thread waits per client.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace flowweaver {

class EventStream;
class Service;

class TaskLogFollower {
 public:
  explicit TaskLogFollower(const Service& service,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~TaskLogFollower();  // ends every stream still followed

  // Sends `attempt`'s log of `task` in run `run_id` from byte `offset` into `events`, as "log"
  // events of whole lines, until the attempt is over ("end" event, then closed) or the client
  // goes away. An error reading the log ends the stream with an "error" event.
  void follow(std::string run_id, std::string task, int attempt, uint64_t offset,
              std::shared_ptr<EventStream> events);

 private:
  struct Followed {
    std::string run_id, task;
    int attempt = 0;
    uint64_t offset = 0;
    std::shared_ptr<EventStream> events;
  };

  void loop();
  // Pushes what is new; false once the stream is over.
  bool push_new_lines(Followed& followed) const;

  const Service& service_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<Followed> followed_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace flowweaver
