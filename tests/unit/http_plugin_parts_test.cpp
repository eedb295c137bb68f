// The parts of the http plugin that need no server: Retry-After, expect_status, and how the
// SDK hands a requested retry delay to hosts that know it and to hosts that do not.
#include <gtest/gtest.h>

#include <cstddef>
#include <flowweaver/sdk.hpp>

#include "http_request_spec.h"
#include "http_response.h"
#include "retry_after.h"

namespace flowweaver {
namespace {

using std::chrono::milliseconds;

// 2015-10-21 07:28:00 UTC, the date in RFC 9110's example.
constexpr std::time_t kExampleDate = 1445412480;

TEST(RetryAfterTest, ReadsDelaySeconds) {
  EXPECT_EQ(parse_retry_after("1", kExampleDate), milliseconds(1000));
  EXPECT_EQ(parse_retry_after(" 120 ", kExampleDate), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("0", kExampleDate), milliseconds(0));
}

TEST(RetryAfterTest, ReadsAnHttpDateAgainstNow) {
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", kExampleDate), milliseconds(30000));
  // Already past: no wait at all.
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", kExampleDate), milliseconds(0));
}

TEST(RetryAfterTest, RefusesAnythingElse) {
  for (const char* text : {"", "soon", "-5", "1.5", "10s", "tomorrow"}) {
    EXPECT_FALSE(parse_retry_after(text, kExampleDate).has_value()) << text;
  }
}

TEST(RetryAfterTest, AHugeNumberIsCappedNotOverflowed) {
  std::optional<milliseconds> wait = parse_retry_after("99999999999999999999999", kExampleDate);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, std::chrono::hours(365 * 24));
}

TEST(StatusSetTest, ReadsCodesClassesAndLists) {
  StatusSet twos = StatusSet::from_param("2xx", "t");
  EXPECT_TRUE(twos.contains(200));
  EXPECT_TRUE(twos.contains(299));
  EXPECT_FALSE(twos.contains(302));
  StatusSet list = StatusSet::from_param(Json::array({200, "3xx", 404}), "t");
  EXPECT_TRUE(list.contains(404));
  EXPECT_TRUE(list.contains(301));
  EXPECT_FALSE(list.contains(403));
  EXPECT_EQ(list.text(), "200, 3xx, 404");
}

TEST(StatusSetTest, RefusesWhatIsNoStatus) {
  for (const Json& bad : {Json("2xxx"), Json("ok"), Json(99), Json(600), Json::array(), Json(2.5),
                          Json::array({200, true})}) {
    try {
      StatusSet::from_param(bad, "task 't'");
      ADD_FAILURE() << bad.dump();
    } catch (const PermanentError& e) {
      EXPECT_NE(std::string(e.what()).find("expect_status"), std::string::npos) << e.what();
    }
  }
}

// --- Parameters the manifest got wrong: each fails the task at once, naming the fix.

// A call of task 't' with `with:` = params; the host functions are never reached.
struct ParamsCall {
  explicit ParamsCall(const Json& with) : text(with.dump()) {}
  Context context() {
    call = {sizeof(fw_call), "t", text.c_str(), text.size(), 1, &host};
    return Context(&call, "http.request");
  }
  std::string text;
  fw_host host{};
  fw_call call{};
};

Json with_defaults(Json given) {
  Json with = {{"method", "GET"},
               {"headers", Json::object()},
               {"query", Json::object()},
               {"body", nullptr},
               {"json", nullptr},
               {"timeout", "30s"},
               {"expect_status", "2xx"},
               {"follow_redirects", true},
               {"max_response_bytes", 1000},
               {"ca_file", nullptr},
               {"url", "http://127.0.0.1:1/x"}};
  if (given.is_object()) with.update(given);  // `{}` in a call reads as null
  return with;
}

struct BadParams {
  Json given;
  std::string message;
};

class BadParamsTest : public ::testing::TestWithParam<BadParams> {};

TEST_P(BadParamsTest, FailsPermanentlyNamingTheFix) {
  ParamsCall call(with_defaults(GetParam().given));
  Context ctx = call.context();
  try {
    read_request_spec(ctx);
    ADD_FAILURE() << "accepted " << GetParam().given.dump();
  } catch (const PermanentError& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    HttpParams, BadParamsTest,
    ::testing::Values(
        BadParams{{{"url", "ftp://example.com/f"}},
                  "parameter 'url' must start with http:// or https://"},
        BadParams{{{"method", "GE T"}}, "parameter 'method' must be an HTTP method"},
        BadParams{{{"headers", {{"X-A", "one\r\nX-B: two"}}}},
                  "has a line break in the value of 'X-A'"},
        BadParams{{{"headers", {{"Bad Name", "v"}}}},
                  "has a header name 'Bad Name' that HTTP does not allow"},
        BadParams{{{"query", {{"ids", Json::array({1, 2})}}}},
                  "parameter 'query' has 'ids' set to [1,2] (array): give a string, number or "
                  "boolean"},
        BadParams{{{"body", 5}}, "parameter 'body' must be text; use 'json'"},
        BadParams{{{"body", "x"}, {"json", {{"a", 1}}}},
                  "give either 'body' (text) or 'json' (a value), not both"},
        BadParams{{{"timeout", "0s"}}, "parameter 'timeout' must be longer than 0s"},
        BadParams{{{"timeout", "soon"}}, "parameter 'timeout' is not a duration"},
        BadParams{{{"max_response_bytes", 0}}, "parameter 'max_response_bytes' must be at least 1"},
        BadParams{{{"ca_file", ""}}, "parameter 'ca_file' must be the path of a PEM file"}));

TEST(HttpParamsTest, QueryIsEncodedAndJsonSetsItsContentType) {
  ParamsCall call(with_defaults({{"method", "post"},
                                 {"url", "http://h/p?a=1"},
                                 {"query", {{"q", "a b&c"}, {"n", 2}}},
                                 {"json", {{"k", true}}}}));
  Context ctx = call.context();
  HttpRequestSpec spec = read_request_spec(ctx);
  EXPECT_EQ(spec.method, "POST");
  EXPECT_EQ(spec.url, "http://h/p?a=1&n=2&q=a%20b%26c");
  EXPECT_EQ(spec.body, "{\"k\":true}");
  EXPECT_EQ(
      spec.headers,
      (std::vector<std::pair<std::string, std::string>>{{"Content-Type", "application/json"}}));
}

// --- What a response becomes.

TEST(HttpResponseTest, ABodyThatIsNotUtf8FailsPermanently) {
  ParamsCall call(with_defaults({}));
  Context ctx = call.context();
  HttpResponse response{200, {}, "caf\xe9", "http://h/latin1"};
  try {
    response_output(response, ctx);
    ADD_FAILURE() << "accepted a Latin-1 body";
  } catch (const PermanentError& e) {
    EXPECT_NE(std::string(e.what()).find("the response body from http://h/latin1 is not UTF-8"),
              std::string::npos)
        << e.what();
  }
}

TEST(HttpResponseTest, JsonIsParsedOnlyWhenTheContentTypeSaysSo) {
  ParamsCall call(with_defaults({}));
  Context ctx = call.context();
  HttpResponse problem{
      200, {{"content-type", "application/problem+json; charset=utf-8"}}, "{\"a\": 1}", "u"};
  EXPECT_EQ(response_output(problem, ctx)["json"], Json({{"a", 1}}));
  HttpResponse text{200, {{"content-type", "text/plain"}}, "{\"a\": 1}", "u"};
  EXPECT_FALSE(response_output(text, ctx).contains("json"));
}

TEST(HttpResponseTest, RepeatedHeadersAreJoined) {
  ParamsCall call(with_defaults({}));
  Context ctx = call.context();
  HttpResponse response{200, {{"x-a", "1"}, {"x-b", "b"}, {"x-a", "2"}}, "", "u"};
  EXPECT_EQ(response_output(response, ctx)["headers"], Json({{"x-a", "1, 2"}, {"x-b", "b"}}));
}

TEST(HttpResponseTest, OnlyA429OrA5xxIsRetriedAndARetryAfterIsPassedOn) {
  ParamsCall call(with_defaults({}));
  Context ctx = call.context();
  HttpRequestSpec spec = read_request_spec(ctx);
  HttpResponse busy{429, {{"retry-after", "7"}}, "slow down", "u"};
  try {
    check_status(spec, busy, ctx, kExampleDate);
    ADD_FAILURE();
  } catch (const RetryAfterError& e) {
    EXPECT_EQ(e.retry_after(), milliseconds(7000));
  }
  HttpResponse down{502, {}, "", "u"};
  EXPECT_THROW(
      {
        try {
          check_status(spec, down, ctx, kExampleDate);
        } catch (const PermanentError&) {
          ADD_FAILURE() << "a 502 is retryable";
        } catch (const RetryAfterError&) {
          ADD_FAILURE() << "no Retry-After was given";
        }
      },
      std::runtime_error);
  HttpResponse forbidden{403, {{"retry-after", "7"}}, "", "u"};
  EXPECT_THROW(check_status(spec, forbidden, ctx, kExampleDate), PermanentError);
  HttpResponse fine{204, {}, "", "u"};
  EXPECT_NO_THROW(check_status(spec, fine, ctx, kExampleDate));
}

// --- RetryAfterError through the C ABI.

class AsksForTwoSeconds : public Task {
 public:
  Json run(Context&) override { throw RetryAfterError("busy", milliseconds(2000)); }
};

struct FakeHost {
  std::string error;
  std::optional<uint64_t> retry_after_ms;
};

FakeHost& host_of(void* data) { return *static_cast<FakeHost*>(data); }

fw_outcome call(FakeHost& state, uint32_t host_size) {
  fw_host host{};
  host.struct_size = host_size;
  host.host_data = &state;
  host.set_error = [](void* d, const char* text, size_t len) {
    host_of(d).error.assign(text, len);
  };
  // An older host leaves the field out; were it read, this would record a delay.
  host.set_retry_after = [](void* d, uint64_t ms) { host_of(d).retry_after_ms = ms; };
  fw_call c{sizeof(fw_call), "t", "{}", 2, 1, &host};
  return detail::run_task<AsksForTwoSeconds>("http.request", &c);
}

TEST(RetryAfterErrorTest, AHostThatKnowsTheFieldReceivesTheDelay) {
  FakeHost state;
  EXPECT_EQ(call(state, sizeof(fw_host)), FW_OUTCOME_RETRYABLE);
  EXPECT_EQ(state.error, "busy");
  EXPECT_EQ(state.retry_after_ms, 2000u);
}

TEST(RetryAfterErrorTest, AnOlderHostGetsAPlainRetryableFailure) {
  FakeHost state;
  EXPECT_EQ(call(state, offsetof(fw_host, set_retry_after)), FW_OUTCOME_RETRYABLE);
  EXPECT_EQ(state.error, "busy");
  EXPECT_FALSE(state.retry_after_ms.has_value());
}

}  // namespace
}  // namespace flowweaver
