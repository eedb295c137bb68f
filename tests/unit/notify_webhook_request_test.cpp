// notify.webhook's request built from its parameters, and which failures are retried.
#include <gtest/gtest.h>

#include "failure_kind.h"
#include "webhook_request.h"

namespace flowweaver::notify {
namespace {

const std::string kWho = "task 'alert' (task type 'notify.webhook')";

std::string permanent_error(const Json& params) {
  try {
    webhook_request(params, kWho);
  } catch (const PermanentError& e) {
    return e.what();
  }
  return "no error";
}

TEST(WebhookRequestTest, TextIsTheSlackAndMattermostPreset) {
  WebhookRequest r = webhook_request(
      {{"url", "https://hooks.example.com/x"}, {"text", "run \"7\" failed"}, {"payload", nullptr}},
      kWho);
  EXPECT_EQ(r.url, "https://hooks.example.com/x");
  EXPECT_EQ(Json::parse(r.body), Json({{"text", "run \"7\" failed"}}));
  EXPECT_EQ(r.headers, (std::vector<std::string>{"Content-Type: application/json", "Expect:"}));
}

TEST(WebhookRequestTest, APayloadMapIsSentAsJsonAndAStringMustBeJson) {
  Json map = {{"event", "failed"}, {"tasks", {"a", "b"}}};
  EXPECT_EQ(Json::parse(webhook_request({{"url", "http://h/"}, {"payload", map}}, kWho).body), map);
  EXPECT_EQ(webhook_request({{"url", "http://h/"}, {"payload", "{\"a\": 1}"}}, kWho).body,
            "{\"a\":1}");
  EXPECT_EQ(permanent_error({{"url", "http://h/"}, {"payload", "{\"a\": oops}"}})
                .find(kWho + ": parameter 'payload' is a string that is not JSON ("),
            0u);
}

TEST(WebhookRequestTest, ExactlyOneOfPayloadAndText) {
  EXPECT_EQ(permanent_error({{"url", "http://h/"}}),
            kWho +
                ": give exactly one of 'payload' (the JSON to post) and 'text' (posts "
                "{\"text\": ...}, as Slack and Mattermost expect)");
  EXPECT_NE(permanent_error({{"url", "http://h/"}, {"text", "x"}, {"payload", {{"a", 1}}}})
                .find(", not both"),
            std::string::npos);
}

TEST(WebhookRequestTest, OnlyHttpUrls) {
  EXPECT_EQ(permanent_error({{"url", "ftp://h/"}, {"text", "x"}}),
            kWho + ": parameter 'url' must start with http:// or https://, but is \"ftp://h/\"");
  EXPECT_NO_THROW(webhook_request({{"url", "HTTPS://h/"}, {"text", "x"}}, kWho));
}

TEST(WebhookRequestTest, HeadersAreAddedAndAContentTypeGivenReplacesTheDefault) {
  WebhookRequest r = webhook_request(
      {{"url", "http://h/"},
       {"text", "x"},
       {"headers", {{"Authorization", "Bearer t"}, {"content-type", "application/x"}}}},
      kWho);
  EXPECT_EQ(r.headers, (std::vector<std::string>{"Authorization: Bearer t",
                                                 "content-type: application/x", "Expect:"}));
}

TEST(WebhookRequestTest, AHeaderThatWouldInjectAnotherIsRefused) {
  EXPECT_EQ(
      permanent_error(
          {{"url", "http://h/"}, {"text", "x"}, {"headers", {{"X-A", "1\r\nX-Injected: 2"}}}}),
      kWho +
          ": header 'X-A' is not a valid HTTP header (a name without ':' or spaces, a "
          "value on one line)");
  EXPECT_NE(permanent_error({{"url", "http://h/"}, {"text", "x"}, {"headers", {{"X A", "1"}}}}),
            "no error");
  EXPECT_EQ(permanent_error({{"url", "http://h/"}, {"text", "x"}, {"headers", {{"X-A", 1}}}}),
            kWho + ": header 'X-A' must be a string, but is 1");
}

TEST(FailureKindTest, TransientHttpStatusesAndNetworkErrorsAreRetried) {
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L})
    EXPECT_TRUE(retryable_http_status(status));
  for (long status : {301L, 400L, 401L, 403L, 404L, 410L, 422L}) {
    EXPECT_FALSE(retryable_http_status(status)) << status;
  }
  EXPECT_TRUE(retryable_curl_error(CURLE_COULDNT_CONNECT));
  EXPECT_TRUE(retryable_curl_error(CURLE_OPERATION_TIMEDOUT));
  EXPECT_TRUE(retryable_curl_error(CURLE_COULDNT_RESOLVE_HOST));
  EXPECT_FALSE(retryable_curl_error(CURLE_URL_MALFORMAT));
  EXPECT_FALSE(retryable_curl_error(CURLE_LOGIN_DENIED));
  EXPECT_FALSE(retryable_curl_error(CURLE_PEER_FAILED_VERIFICATION));
  EXPECT_TRUE(retryable_smtp_reply(451));
  EXPECT_FALSE(retryable_smtp_reply(550));
  EXPECT_FALSE(retryable_smtp_reply(250));
}

}  // namespace
}  // namespace flowweaver::notify
