#include "http_transfer.h"

#include <curl/curl.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace flowweaver {
namespace {

using EasyHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using MultiHandle = std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)>;
using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// libcurl's global set-up is thread-safe in this version only once it has been done; a
// function-local static runs it exactly once whichever thread comes first.
void ensure_curl_initialized() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) {
    throw std::runtime_error(std::string("libcurl cannot start: ") + curl_easy_strerror(result));
  }
}

struct TransferState {
  const HttpRequestSpec* spec;
  HttpResponse response;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  TransferState& state = *static_cast<TransferState*>(user);
  size_t len = size * count;
  if (state.response.body.size() + len > state.spec->max_response_bytes) {
    state.too_large = true;
    return 0;  // anything but len stops the transfer
  }
  state.response.body.append(data, len);
  return len;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// Called once per header line of every response, redirects and 100 Continue included: a
// status line starts a new response, whose headers and body replace the previous one's.
size_t on_header(char* data, size_t size, size_t count, void* user) {
  TransferState& state = *static_cast<TransferState*>(user);
  std::string_view line = trimmed(std::string_view(data, size * count));
  if (line.rfind("HTTP/", 0) == 0) {
    state.response.headers.clear();
    state.response.body.clear();
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    state.response.headers.emplace_back(lower(std::string(trimmed(line.substr(0, colon)))),
                                        std::string(trimmed(line.substr(colon + 1))));
  }
  return size * count;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ca_file adds to the system's trusted CAs: libcurl's CAINFO would replace them, so both go
// in one in-memory bundle.
void trust_extra_ca(CURL* easy, const HttpRequestSpec& spec, const Context& ctx,
                    std::string& bundle) {
  std::ifstream probe(*spec.ca_file);
  if (!probe) {
    throw PermanentError(ctx.who() + ": parameter 'ca_file': cannot read '" + *spec.ca_file +
                         "' (" + std::strerror(errno) + "); give the path of a PEM file");
  }
  char* system_bundle = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CAINFO, &system_bundle) == CURLE_OK && system_bundle) {
    bundle = read_whole_file(system_bundle) + "\n";
  }
  bundle += read_whole_file(*spec.ca_file);
  curl_blob blob{bundle.data(), bundle.size(), CURL_BLOB_NOCOPY};
  curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
}

HeaderList header_list(const HttpRequestSpec& spec) {
  curl_slist* list = nullptr;
  auto add = [&list](const std::string& line) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      throw std::runtime_error("out of memory building request headers");
    }
    list = grown;
  };
  // curl sends "Name:" with nothing after it as "remove this header": "Name;" sends it empty.
  for (const auto& [name, value] : spec.headers)
    add(value.empty() ? name + ";" : name + ": " + value);
  // Without it, libcurl waits for a 100 Continue before sending a large body.
  if (spec.body) add("Expect:");
  return HeaderList(list, &curl_slist_free_all);
}

void set_method_and_body(CURL* easy, const HttpRequestSpec& spec) {
  if (spec.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (spec.body || spec.method == "POST") {
    const char* body = spec.body ? spec.body->c_str() : "";  // a POST without one sends it empty
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(spec.body ? spec.body->size() : 0));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
  }
  // GET, POST and HEAD keep libcurl's own handling (a 303 turns a POST into a GET).
  if (spec.method != "GET" && spec.method != "POST" && spec.method != "HEAD") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
  }
}

void set_options(CURL* easy, const HttpRequestSpec& spec, TransferState& state, char* error_text) {
  curl_easy_setopt(easy, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a threaded host
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, spec.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(spec.max_response_bytes));
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "flowweaver-http/1");
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &state);
  set_method_and_body(easy, spec);
}

bool is_tls_verification(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_ISSUER_ERROR ||
         code == CURLE_SSL_PINNEDPUBKEYNOTMATCH || code == CURLE_SSL_CRL_BADFILE;
}

bool is_permanent(CURLcode code) {
  return code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL ||
         code == CURLE_TOO_MANY_REDIRECTS || code == CURLE_BAD_FUNCTION_ARGUMENT ||
         code == CURLE_NOT_BUILT_IN;
}

[[noreturn]] void fail_transfer(CURLcode code, const TransferState& state,
                                const HttpRequestSpec& spec, const Context& ctx,
                                const char* error_text) {
  std::string what = spec.method + " " + spec.url;
  std::string detail = *error_text ? error_text : curl_easy_strerror(code);
  if (state.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    throw PermanentError(ctx.who() + ": the response to " + what + " is larger than " +
                         "max_response_bytes (" + std::to_string(spec.max_response_bytes) +
                         " bytes); raise max_response_bytes or ask for less");
  }
  if (is_tls_verification(code)) {
    throw PermanentError(ctx.who() + ": TLS verification failed for " + what + ": " + detail +
                         ". If the server's certificate comes from a private CA, give that CA's "
                         "PEM file in ca_file");
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    throw std::runtime_error(ctx.who() + ": " + what + " timed out after " +
                             std::to_string(spec.timeout.count()) +
                             " ms (parameter 'timeout'): " + detail);
  }
  if (is_permanent(code)) throw PermanentError(ctx.who() + ": " + what + ": " + detail);
  throw std::runtime_error(ctx.who() + ": " + what + ": " + detail);
}

// Runs the transfer on a multi handle so that a cancellation is seen within kCancelPollMs,
// whatever the server does (libcurl's progress callback may wait a second when idle).
CURLcode run_until_done(CURL* easy, const Context& ctx, bool& cancelled) {
  MultiHandle multi(curl_multi_init(), &curl_multi_cleanup);
  if (!multi || curl_multi_add_handle(multi.get(), easy) != CURLM_OK) {
    throw std::runtime_error("libcurl cannot start a transfer");
  }
  int running = 1;
  while (running > 0) {
    if (curl_multi_perform(multi.get(), &running) != CURLM_OK) break;
    if (running == 0) break;
    if (ctx.cancelled()) {
      cancelled = true;
      break;
    }
    curl_multi_poll(multi.get(), nullptr, 0, kCancelPollMs, nullptr);
  }
  CURLcode result = CURLE_ABORTED_BY_CALLBACK;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
    if (message->msg == CURLMSG_DONE) result = message->data.result;
  }
  curl_multi_remove_handle(multi.get(), easy);
  return result;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  std::optional<std::string> value;
  for (const auto& [key, text] : headers) {
    if (key != name) continue;
    value = value ? *value + ", " + text : text;
  }
  return value;
}

HttpResponse perform_transfer(const HttpRequestSpec& spec, const Context& ctx) {
  ensure_curl_initialized();
  EasyHandle easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy) throw std::runtime_error("libcurl cannot create a transfer");
  TransferState state{&spec, {}, false};
  char error_text[CURL_ERROR_SIZE] = "";
  set_options(easy.get(), spec, state, error_text);
  HeaderList headers = header_list(spec);
  curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers.get());
  std::string ca_bundle;  // must outlive the transfer: CURL_BLOB_NOCOPY
  if (spec.ca_file) trust_extra_ca(easy.get(), spec, ctx, ca_bundle);

  bool cancelled = false;
  CURLcode code = run_until_done(easy.get(), ctx, cancelled);
  if (cancelled)
    throw std::runtime_error(ctx.who() + ": cancelled during " + spec.method + " " + spec.url);
  if (code != CURLE_OK) fail_transfer(code, state, spec, ctx, error_text);
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &state.response.status);
  char* final_url = nullptr;
  curl_easy_getinfo(easy.get(), CURLINFO_EFFECTIVE_URL, &final_url);
  state.response.url = final_url ? final_url : spec.url;
  return std::move(state.response);
}

}  // namespace flowweaver
