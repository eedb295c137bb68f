// Server-sent events (text/event-stream) to one client, pushed from any thread, written by the
// server's I/O thread: no thread waits per listener. A handler makes one, hands it to whatever
// produces the events, and returns it:
//
//   router.add("GET", "/api/things/{}/events", [&](const HttpRequest& req) {
//     auto events = std::make_shared<EventStream>();
//     things.subscribe(req.path_params[0], events);   // keeps it, calls events->send() later
//     return HttpResponse::event_stream(events);
//   });
//
// The producer calls send() as things happen and close() when there is nothing more; send()
// returns false once the stream is over (the client went away, the server stopped, the client
// read too slowly, or close() was called), which is the producer's cue to drop it. Events sent
// before the response was written are kept and written first.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace flowweaver {

class EventStream {
 public:
  // What a client may leave unread before it is dropped as too slow.
  static constexpr size_t kMaxPendingBytes = 1024 * 1024;

  // One event: `event: <event>` (left out when empty), then each line of `data` as a `data:`
  // line. False when the stream is over; the event is dropped then.
  bool send(std::string_view event, std::string_view data);
  // A comment line (": text"), which clients ignore: keeps proxies from timing the stream out.
  bool send_comment(std::string_view text);
  // Ends the response once what was sent is written. Idempotent.
  void close();
  bool is_open() const;

  // --- The server's side (http_session.cpp) ---
  // `wake` is called, under the stream's lock and from any thread, when there is something new
  // to write or the stream was closed; it must only post work elsewhere.
  void attach(std::function<void()> wake);
  // The bytes to write next; *closed is set once close() was called and nothing is left.
  std::string take_pending(bool* closed);
  // The client went away or the server stops: send() fails from now on; no more wake calls.
  void detach();

 private:
  bool append(const std::string& bytes);

  mutable std::mutex mutex_;
  std::string pending_;
  bool closed_ = false;  // by the producer
  bool over_ = false;    // by the server's side
  std::function<void()> wake_;
};

}  // namespace flowweaver
