#include "exec/output_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/utf8.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(OutputCheckTest, JsonTextInUtf8Passes) {
  EXPECT_EQ(output_text_problem("null"), std::nullopt);
  EXPECT_EQ(output_text_problem(R"({"name": "café", "values": [1, 2.5e300, -3]})"), std::nullopt);
}

TEST(OutputCheckTest, ABytePastUtf8IsNamedWithItsOffset) {
  EXPECT_EQ(output_text_problem("{\"name\": \"caf\xe9\"}"),
            "is not valid UTF-8 (byte 0xE9 at offset 13)");
}

// Text cannot hold NaN or Infinity; what some writers put there instead is not JSON, and a
// number beyond a double would become Infinity, so it is refused too.
TEST(OutputCheckTest, NanTokensAndNumbersBeyondADoubleAreRefused) {
  EXPECT_THAT(output_text_problem(R"({"mean": NaN})").value_or(""),
              StartsWith("is not valid JSON: [json.exception.parse_error.101]"));
  EXPECT_THAT(output_text_problem(R"({"mean": -Infinity})").value_or(""),
              StartsWith("is not valid JSON: "));
  EXPECT_THAT(output_text_problem(R"({"mean": 1e999})").value_or(""),
              HasSubstr("number overflow parsing '1e999'"));
}

TEST(OutputCheckTest, TextThatIsNotJsonGetsTheParsersMessage) {
  EXPECT_EQ(output_text_problem("{not json"),
            "is not valid JSON: [json.exception.parse_error.101] parse error at line 1, column 3: "
            "syntax error while parsing object key - invalid literal; last read: '{no'; expected "
            "string literal");
  EXPECT_THAT(output_text_problem("").value_or(""), HasSubstr("unexpected end of input"));
  EXPECT_THAT(output_text_problem("{} {}").value_or(""), HasSubstr("expected end of input"));
}

// The parser quotes the bytes it read up to the error, which can stop inside a character; the
// message is stored and shown as JSON, so it must be UTF-8 itself.
TEST(OutputCheckTest, TheMessageIsUtf8EvenWhenTheParserStopsInsideACharacter) {
  std::string problem = output_text_problem("{é: 1}").value_or("");
  EXPECT_THAT(problem, HasSubstr("\\xC3"));
  EXPECT_EQ(find_invalid_utf8(problem), std::nullopt);
}

TEST(OutputCheckTest, EscapingLeavesUtf8AloneAndWritesOtherBytesInHex) {
  EXPECT_EQ(escape_invalid_utf8("café"), "café");
  EXPECT_EQ(escape_invalid_utf8("a\xff"
                                "b\xc3"),
            "a\\xFFb\\xC3");
}

}  // namespace
}  // namespace flowweaver
