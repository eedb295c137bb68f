// Which failures another attempt can fix, for the webhook and the email task alike: the answer
// decides between a retryable error (the task's retries apply) and a PermanentError.
#pragma once

#include <curl/curl.h>

namespace flowweaver::notify {

// A transfer that failed before any reply: the network, a timeout, a server going away are
// worth another attempt; a malformed URL, a refused certificate or credential are not.
bool retryable_curl_error(CURLcode code);

// 408, 429 and 5xx: the server is busy or broken for now. Any other non-2xx status will be
// the same next time.
bool retryable_http_status(long status);

// SMTP's own classes: 4xx replies are transient by definition (RFC 5321, 4.2.1), 5xx final.
bool retryable_smtp_reply(long code);

}  // namespace flowweaver::notify
