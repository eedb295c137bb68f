#include "webhook_task.h"

#include <algorithm>

#include "curl_transfer.h"
#include "failure_kind.h"
#include "webhook_request.h"

namespace flowweaver::notify {
namespace {

// The part of a response shown in the output and in errors: enough to read a service's reason.
constexpr size_t kResponseShownBytes = 4096;
// Doubling stops here, so that many attempts never wait absurdly long (or overflow).
constexpr std::chrono::milliseconds kLongestWait = std::chrono::minutes(5);

struct PostOutcome {
  long status = 0;
  std::string response;  // UTF-8, at most kResponseShownBytes
  std::string failure;   // empty on a 2xx
  bool retryable = false;
  bool cancelled = false;  // the task's timeout passed or the host is stopping: no more tries
  std::chrono::seconds retry_after{0};  // what the server asked to wait (429, 503), or 0
};

// Any bytes as UTF-8 text for the output (which must be UTF-8): invalid sequences, including
// a character cut in two by the cap, become U+FFFD.
std::string as_text(const std::string& bytes) {
  return Json::parse(Json(bytes).dump(-1, ' ', false, Json::error_handler_t::replace))
      .get<std::string>();
}

PostOutcome post_once(const Context& ctx, const WebhookRequest& request,
                      std::chrono::milliseconds timeout) {
  CurlTransfer transfer(ctx);
  transfer.set(CURLOPT_URL, request.url, "URL");
  transfer.set(CURLOPT_PROTOCOLS_STR, std::string("http,https"), "PROTOCOLS_STR");
  transfer.set(CURLOPT_POST, 1L, "POST");
  transfer.set(CURLOPT_USERAGENT, std::string("flowweaver-notify/1.0"), "USERAGENT");
  transfer.set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<long>(request.body.size()),
               "POSTFIELDSIZE");
  transfer.set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()), "TIMEOUT_MS");
  transfer.set_upload(request.body);
  for (const std::string& line : request.headers) transfer.add_header(line);
  transfer.set_response_cap(kResponseShownBytes);
  TransferResult result = transfer.perform();

  PostOutcome outcome;
  outcome.status = result.response_code;
  outcome.response = as_text(result.response_body);
  outcome.retry_after = std::chrono::seconds(result.retry_after_s);
  if (result.cancelled) {
    outcome.failure = "POST " + request.url +
                      " cancelled (the task's timeout passed or the host "
                      "is stopping)";
    outcome.cancelled = true;
  } else if (result.code != CURLE_OK) {
    outcome.failure = "POST " + request.url + " failed: " + result.error;
    outcome.retryable = retryable_curl_error(result.code);
  } else if (result.response_code < 200 || result.response_code > 299) {
    outcome.failure = "POST " + request.url + " answered HTTP " +
                      std::to_string(result.response_code) +
                      (outcome.response.empty() ? "" : ": " + outcome.response);
    outcome.retryable = retryable_http_status(result.response_code);
  }
  return outcome;
}

std::string wait_text(std::chrono::milliseconds wait) {
  return std::to_string(wait.count()) + "ms";
}

}  // namespace

Json WebhookTask::run(Context& ctx) {
  WebhookRequest request = webhook_request(ctx.params(), ctx.who());
  int attempts = ctx.param<int>("attempts");
  if (attempts < 1 || attempts > 100) {
    throw PermanentError(ctx.who() + ": parameter 'attempts' must be from 1 to 100, but is " +
                         std::to_string(attempts));
  }
  std::chrono::milliseconds wait = ctx.duration_param("retry_delay");
  std::chrono::milliseconds timeout = ctx.duration_param("timeout");
  for (int attempt = 1;; ++attempt) {
    PostOutcome outcome = post_once(ctx, request, timeout);
    if (outcome.failure.empty()) {
      return {{"status", outcome.status}, {"response", outcome.response}, {"attempts", attempt}};
    }
    if (outcome.cancelled) throw std::runtime_error(outcome.failure);
    if (!outcome.retryable) throw PermanentError(outcome.failure + " (not retried)");
    if (attempt == attempts) {
      throw std::runtime_error(outcome.failure + " (gave up after " + std::to_string(attempts) +
                               " attempt(s))");
    }
    // A server's Retry-After is honoured when longer than our own wait (up to kLongestWait).
    std::chrono::milliseconds pause =
        std::max(wait, std::min<std::chrono::milliseconds>(outcome.retry_after, kLongestWait));
    ctx.log("warn", outcome.failure + "; trying again in " + wait_text(pause) +
                        (pause > wait ? " (as its Retry-After asks)" : "") + " (attempt " +
                        std::to_string(attempt + 1) + " of " + std::to_string(attempts) + ")");
    if (!ctx.sleep_for(pause)) throw std::runtime_error(outcome.failure + " (then cancelled)");
    wait = std::min(wait * 2, kLongestWait);
  }
}

}  // namespace flowweaver::notify
