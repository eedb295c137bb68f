// The notify plugin: tell someone that something happened (typically in an on_failure
// handler): notify.webhook posts JSON to a chat or incident service, notify.email sends mail.
#include <flowweaver/sdk.hpp>

#include "email_task.h"
#include "webhook_task.h"

using flowweaver::ParamType;
using flowweaver::notify::EmailTask;
using flowweaver::notify::WebhookTask;

FLOWWEAVER_PLUGIN(notify, "1.0.0") {
  plugin.task<WebhookTask>("webhook", "POSTs a JSON payload to a URL, retrying transient failures")
      .required("url", ParamType::String, "http:// or https:// URL to POST to")
      .optional("payload", ParamType::Any, nullptr,
                "The JSON to post: a map or list (its strings may hold ${...} references), or "
                "JSON text; give this or `text`")
      .optional("text", ParamType::String, nullptr,
                "Posts {\"text\": TEXT}, as Slack and Mattermost incoming webhooks expect; give "
                "this or `payload`")
      .optional("headers", ParamType::Object, flowweaver::Json::object(),
                "Extra request headers, e.g. {Authorization: \"Bearer ${secrets.TOKEN}\"}")
      .optional("attempts", ParamType::Integer, 3,
                "Tries within one call on connection errors, timeouts, 408, 429 and 5xx")
      .optional("retry_delay", ParamType::Duration, "1s",
                "Wait before the second try; doubled before each further one; a longer "
                "Retry-After from the server wins")
      .optional("timeout", ParamType::Duration, "10s", "Limit for each try");
  plugin.task<EmailTask>("email", "Sends a plain-text email through an SMTP server")
      .required("url", ParamType::String,
                "smtp://host:port (STARTTLS) or smtps://host:port (TLS from the start)")
      .required("from", ParamType::String, "Sender: a@example.com or Name <a@example.com>")
      .required("to", ParamType::Any, "Recipient, or a list of recipients, as `from`")
      .required("subject", ParamType::String, "Subject line (UTF-8; line breaks become spaces)")
      .required("body", ParamType::String, "The message text (UTF-8)")
      .optional("username", ParamType::String, "",
                "Log in as this user (e.g. ${secrets.SMTP_USER}); empty: no login")
      .optional("password", ParamType::String, "", "Password for `username` (${secrets.…})")
      .optional("tls", ParamType::String, "starttls",
                "For smtp://: starttls (required) or none (in clear, e.g. a local relay)")
      .optional("ca_file", ParamType::String, "",
                "PEM file of the CAs to trust instead of the system's")
      .optional("timeout", ParamType::Duration, "30s", "Limit for the whole exchange");
}
