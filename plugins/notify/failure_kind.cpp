#include "failure_kind.h"

namespace flowweaver::notify {

bool retryable_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return false;
    default:
      return true;
  }
}

bool retryable_http_status(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool retryable_smtp_reply(long code) { return code >= 400 && code <= 499; }

}  // namespace flowweaver::notify
