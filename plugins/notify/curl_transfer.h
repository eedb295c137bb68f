// One libcurl transfer (an "easy" handle) owned by a task call: set it up, perform it, read what
// the server said. The http plugin has a wrapper of its own; the plugins share no code, as any
// two plugins written by outside authors would not.
#pragma once

#include <curl/curl.h>

#include <flowweaver/sdk.hpp>
#include <memory>
#include <string>
#include <vector>

namespace flowweaver::notify {

// How a transfer ended.
struct TransferResult {
  CURLcode code = CURLE_OK;
  std::string error;       // libcurl's own explanation ("Failed to connect to ..."), empty when OK
  long response_code = 0;  // HTTP status or the last SMTP reply code; 0 when none came
  std::string response_body;  // what the server sent back (HTTP), at most the cap given
  std::string last_refusal;   // the server's last 4xx/5xx line (SMTP "550 5.1.1 ..."), no CRLF
  bool cancelled = false;     // the call was cancelled (timeout or shutdown) during the transfer
  long retry_after_s = 0;     // an HTTP answer's Retry-After (seconds or a date), 0 when none
};

class CurlTransfer {
 public:
  // `ctx` must outlive the transfer: its cancellation aborts perform().
  explicit CurlTransfer(const Context& ctx);
  ~CurlTransfer();
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  // Sets an option; an option libcurl refuses is a bug of ours or a value it cannot take, so
  // it throws PermanentError naming the option.
  void set(CURLoption option, long value, const char* what);
  void set(CURLoption option, const std::string& value, const char* what);
  void add_header(const std::string& line);
  void add_recipient(const std::string& address);
  // The bytes sent as the request body (HTTP POST) or the uploaded message (SMTP).
  void set_upload(std::string body);
  // Keeps at most this many bytes of the response body; the rest is read and dropped.
  void set_response_cap(size_t max_bytes) { response_cap_ = max_bytes; }

  TransferResult perform();

 private:
  static size_t on_body(char* data, size_t size, size_t count, void* self);
  static size_t on_read(char* buffer, size_t size, size_t count, void* self);
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
  static int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* self);

  const Context& ctx_;
  CURL* handle_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_slist* recipients_ = nullptr;
  std::string upload_;
  size_t upload_sent_ = 0;
  size_t response_cap_ = 0;
  std::string response_body_;
  std::string last_refusal_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace flowweaver::notify
