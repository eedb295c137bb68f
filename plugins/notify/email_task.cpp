#include "email_task.h"

#include <random>

#include "curl_transfer.h"
#include "email_message.h"
#include "failure_kind.h"

namespace flowweaver::notify {
namespace {

enum class SmtpScheme { Smtp, Smtps };

SmtpScheme scheme_of(const std::string& url, const std::string& who) {
  if (url.rfind("smtp://", 0) == 0) return SmtpScheme::Smtp;
  if (url.rfind("smtps://", 0) == 0) return SmtpScheme::Smtps;
  throw PermanentError(who +
                       ": parameter 'url' must start with smtp:// (STARTTLS, or in clear "
                       "with tls: none) or smtps:// (TLS from the start), but is \"" +
                       url + "\"");
}

// The TLS libcurl must use: STARTTLS required unless `tls: none` (which smtps:// contradicts).
long use_ssl_for(SmtpScheme scheme, const std::string& tls, const std::string& who) {
  if (tls != "starttls" && tls != "none") {
    throw PermanentError(who + ": parameter 'tls' must be starttls or none, but is \"" + tls +
                         "\"");
  }
  if (tls == "none" && scheme == SmtpScheme::Smtps) {
    throw PermanentError(who +
                         ": tls: none contradicts an smtps:// url, which is always TLS: use "
                         "smtp:// to send in clear");
  }
  return tls == "none" ? CURLUSESSL_NONE : CURLUSESSL_ALL;
}

std::vector<std::string> recipients(const Json& to, const std::string& who) {
  if (to.is_string()) return {to.get<std::string>()};
  std::vector<std::string> list;
  if (to.is_array()) {
    for (const Json& item : to) {
      if (!item.is_string()) break;
      list.push_back(item.get<std::string>());
    }
    if (list.size() == to.size()) return list;
  }
  throw PermanentError(who + ": parameter 'to' must be an address or a list of addresses, but is " +
                       to.dump());
}

// "<random@sender's domain>": unique enough to find the message in a mail log.
std::string new_message_id(const std::string& from_address) {
  std::random_device random;
  std::uniform_int_distribution<uint64_t> digits;
  char id[40];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(digits(random)));
  return "<flowweaver." + std::string(id) + from_address.substr(from_address.find('@')) + ">";
}

EmailMessage message_from(const Context& ctx) {
  EmailFields fields;
  fields.from = ctx.param<std::string>("from");
  fields.to = recipients(ctx.param("to"), ctx.who());
  fields.subject = ctx.param<std::string>("subject");
  fields.body = ctx.param<std::string>("body");
  fields.date = rfc5322_date(std::time(nullptr));
  try {
    fields.message_id = new_message_id(bare_address("from", fields.from));
    return email_message(fields);
  } catch (const BadAddress& e) {
    throw PermanentError(ctx.who() + ": " + e.what());
  }
}

// libcurl's words, and the server's own reply when there was one ("550 5.1.1 no such user").
std::string failure_text(const TransferResult& result, const std::string& url) {
  std::string text = "sending mail through " + url + " failed: " + result.error;
  if (!result.last_refusal.empty()) {
    text += "; the server said: " + result.last_refusal;
  }
  if (result.code == CURLE_USE_SSL_FAILED) {
    text +=
        " (the server does not offer STARTTLS; set tls: none to send in clear, e.g. to a "
        "relay on this machine)";
  }
  return text;
}

void set_up(CurlTransfer& transfer, const Context& ctx, const EmailMessage& message,
            const std::string& url) {
  transfer.set(CURLOPT_URL, url, "URL");
  transfer.set(CURLOPT_PROTOCOLS_STR, std::string("smtp,smtps"), "PROTOCOLS_STR");
  SmtpScheme scheme = scheme_of(url, ctx.who());
  transfer.set(CURLOPT_USE_SSL, use_ssl_for(scheme, ctx.param<std::string>("tls"), ctx.who()),
               "USE_SSL");
  std::string ca_file = ctx.param<std::string>("ca_file");
  if (!ca_file.empty()) transfer.set(CURLOPT_CAINFO, ca_file, "CAINFO");
  std::string username = ctx.param<std::string>("username");
  if (!username.empty()) {
    transfer.set(CURLOPT_USERNAME, username, "USERNAME");
    transfer.set(CURLOPT_PASSWORD, ctx.param<std::string>("password"), "PASSWORD");
  }
  transfer.set(CURLOPT_TIMEOUT_MS, static_cast<long>(ctx.duration_param("timeout").count()),
               "TIMEOUT_MS");
  transfer.set(CURLOPT_MAIL_FROM, "<" + message.envelope_from + ">", "MAIL_FROM");
  for (const std::string& address : message.envelope_to)
    transfer.add_recipient("<" + address + ">");
  transfer.set(CURLOPT_UPLOAD, 1L, "UPLOAD");
  transfer.set(CURLOPT_INFILESIZE_LARGE, static_cast<long>(message.text.size()), "INFILESIZE");
  transfer.set_upload(message.text);
}

}  // namespace

Json EmailTask::run(Context& ctx) {
  EmailMessage message = message_from(ctx);
  std::string url = ctx.param<std::string>("url");
  CurlTransfer transfer(ctx);
  set_up(transfer, ctx, message, url);
  TransferResult result = transfer.perform();
  if (result.code != CURLE_OK) {
    std::string text = failure_text(result, url);
    bool retryable = result.response_code >= 400 ? retryable_smtp_reply(result.response_code)
                                                 : retryable_curl_error(result.code);
    if (!retryable) throw PermanentError(text + " (not retried)");
    throw std::runtime_error(text);
  }
  Json to = message.envelope_to;
  return {{"from", message.envelope_from}, {"to", to}, {"message_id", message.message_id}};
}

}  // namespace flowweaver::notify
