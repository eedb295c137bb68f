#include "curl_transfer.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>

namespace flowweaver::notify {
namespace {

// curl_global_init is safe to call from several threads only in builds that say so; once, for
// the plugin's lifetime, is safe in every build. It is never undone: the plugin may be called
// until the host exits.
void init_libcurl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl could not be initialised (curl_global_init failed)");
    }
  });
}

}  // namespace

CurlTransfer::CurlTransfer(const Context& ctx) : ctx_(ctx) {
  init_libcurl_once();
  handle_ = curl_easy_init();
  if (handle_ == nullptr) throw std::runtime_error("libcurl could not create a transfer handle");
  set(CURLOPT_NOSIGNAL, 1L, "NOSIGNAL");  // host threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, &CurlTransfer::on_body);
  curl_easy_setopt(handle_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(handle_, CURLOPT_XFERINFOFUNCTION, &CurlTransfer::on_progress);
  curl_easy_setopt(handle_, CURLOPT_XFERINFODATA, this);
  set(CURLOPT_NOPROGRESS, 0L, "NOPROGRESS");
  // The debug callback is where the server's own reply lines can be read (SMTP).
  curl_easy_setopt(handle_, CURLOPT_DEBUGFUNCTION, &CurlTransfer::on_debug);
  curl_easy_setopt(handle_, CURLOPT_DEBUGDATA, this);
  set(CURLOPT_VERBOSE, 1L, "VERBOSE");
}

CurlTransfer::~CurlTransfer() {
  curl_easy_cleanup(handle_);
  curl_slist_free_all(headers_);
  curl_slist_free_all(recipients_);
}

void CurlTransfer::set(CURLoption option, long value, const char* what) {
  CURLcode code = curl_easy_setopt(handle_, option, value);
  if (code != CURLE_OK) {
    throw PermanentError(ctx_.who() + ": libcurl refused option " + what + ": " +
                         curl_easy_strerror(code));
  }
}

void CurlTransfer::set(CURLoption option, const std::string& value, const char* what) {
  CURLcode code = curl_easy_setopt(handle_, option, value.c_str());  // libcurl copies strings
  if (code != CURLE_OK) {
    throw PermanentError(ctx_.who() + ": libcurl refused option " + what + ": " +
                         curl_easy_strerror(code));
  }
}

void CurlTransfer::add_header(const std::string& line) {
  curl_slist* grown = curl_slist_append(headers_, line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  headers_ = grown;
}

void CurlTransfer::add_recipient(const std::string& address) {
  curl_slist* grown = curl_slist_append(recipients_, address.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  recipients_ = grown;
}

void CurlTransfer::set_upload(std::string body) {
  upload_ = std::move(body);
  upload_sent_ = 0;
  curl_easy_setopt(handle_, CURLOPT_READFUNCTION, &CurlTransfer::on_read);
  curl_easy_setopt(handle_, CURLOPT_READDATA, this);
}

TransferResult CurlTransfer::perform() {
  if (headers_ != nullptr) curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers_);
  if (recipients_ != nullptr) curl_easy_setopt(handle_, CURLOPT_MAIL_RCPT, recipients_);
  response_body_.clear();
  last_refusal_.clear();
  upload_sent_ = 0;
  error_buffer_[0] = '\0';
  TransferResult result;
  result.code = curl_easy_perform(handle_);
  curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &result.response_code);
  curl_off_t retry_after_s = 0;
  curl_easy_getinfo(handle_, CURLINFO_RETRY_AFTER, &retry_after_s);
  result.retry_after_s = static_cast<long>(retry_after_s);
  if (result.code != CURLE_OK) {
    result.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(result.code);
  }
  result.cancelled = result.code == CURLE_ABORTED_BY_CALLBACK;
  result.response_body = std::move(response_body_);
  result.last_refusal = std::move(last_refusal_);
  return result;
}

size_t CurlTransfer::on_body(char* data, size_t size, size_t count, void* self) {
  auto* transfer = static_cast<CurlTransfer*>(self);
  size_t bytes = size * count;
  size_t room =
      transfer->response_cap_ - std::min(transfer->response_cap_, transfer->response_body_.size());
  transfer->response_body_.append(data, std::min(bytes, room));
  return bytes;
}

size_t CurlTransfer::on_read(char* buffer, size_t size, size_t count, void* self) {
  auto* transfer = static_cast<CurlTransfer*>(self);
  size_t n = std::min(size * count, transfer->upload_.size() - transfer->upload_sent_);
  std::memcpy(buffer, transfer->upload_.data() + transfer->upload_sent_, n);
  transfer->upload_sent_ += n;
  return n;
}

int CurlTransfer::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<CurlTransfer*>(self)->ctx_.cancelled() ? 1 : 0;
}

int CurlTransfer::on_debug(CURL*, curl_infotype type, char* data, size_t size, void* self) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string line(data, size);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  // Only a refusal (4xx, 5xx) explains a failure; the polite "221 Bye" that follows does not.
  if (line.size() >= 3 && (line[0] == '4' || line[0] == '5') && std::isdigit(line[1]) &&
      std::isdigit(line[2])) {
    static_cast<CurlTransfer*>(self)->last_refusal_ = std::move(line);
  }
  return 0;
}

}  // namespace flowweaver::notify
