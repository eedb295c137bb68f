// Pushes the changes of the service's active runs to the clients that follow them
// (GET /api/runs/ID/events): each run opens a channel when it starts and finishes it when its
// final status is stored; clients subscribe to a run's channel by its id. Events are written by
// the HTTP server's I/O thread (http/event_stream.h) and one thread here sends the keep-alive
// comments of every stream, so no thread waits per client.
//
// Thread-safety: every method may be called from any thread. A channel is fed from its run's
// thread only, which keeps its events in the order things happened.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace flowweaver {

class EventStream;

// The clients of one run.
class RunEventChannel {
 public:
  // Cheap enough for every task change of a run nobody follows: one atomic load.
  bool has_listeners() const { return num_listeners_.load(std::memory_order_acquire) > 0; }
  // Sends to every listener; one that is gone is dropped.
  void send(const char* event, const std::string& data);
  // Adds `events`; false once the channel is finished (the run is over).
  bool add(std::shared_ptr<EventStream> events);
  // Sends `run_event` (when given) as the "run" event, then "end", and closes every stream.
  void finish(const std::optional<std::string>& run_event);
  void send_keep_alive();

 private:
  void drop_closed();  // under mutex_

  std::mutex mutex_;
  std::vector<std::shared_ptr<EventStream>> listeners_;
  bool finished_ = false;
  std::atomic<size_t> num_listeners_{0};
};

class RunEventHub {
 public:
  explicit RunEventHub(std::chrono::milliseconds keep_alive = std::chrono::seconds(15));
  ~RunEventHub();  // finishes every channel still open
  RunEventHub(const RunEventHub&) = delete;
  RunEventHub& operator=(const RunEventHub&) = delete;

  // The run `run_id` has started in this service: its channel, for its observer to feed.
  std::shared_ptr<RunEventChannel> open(const std::string& run_id);
  // The run's final status is stored: the "run" event (JSON; nothing when the service could not
  // store it), then "end", to every client, and the streams end.
  void finish(const std::string& run_id, const std::optional<std::string>& run_event);
  // True when `run_id` is active here and `events` now gets its events; false when it is not
  // (the caller then answers from the state).
  bool subscribe(const std::string& run_id, std::shared_ptr<EventStream> events);

 private:
  void keep_alive_loop();

  const std::chrono::milliseconds keep_alive_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<RunEventChannel>> channels_;  // by run id
  std::thread thread_;
};

}  // namespace flowweaver
