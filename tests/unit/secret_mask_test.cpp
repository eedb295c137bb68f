#include "util/secret_mask.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace flowweaver {
namespace {

TEST(SecretMaskTest, ReplacesEveryOccurrenceLongestFirst) {
  SecretMask mask({"tok", "tok-en-42", ""});
  EXPECT_EQ(mask.mask("a tok-en-42 b tok c tok"), "a *** b *** c ***");
  EXPECT_EQ(mask.mask("nothing here"), "nothing here");
  EXPECT_TRUE(mask.reveals("xtoky"));
  EXPECT_FALSE(mask.reveals("to k"));
}

TEST(SecretMaskTest, EmptyValuesAreIgnored) {
  SecretMask mask({""});
  EXPECT_TRUE(mask.empty());
  EXPECT_EQ(mask.mask("abc"), "abc");
  EXPECT_TRUE(SecretMask().empty());
}

TEST(SecretMaskTest, AValueMadeOfTheReplacementEnds) {
  SecretMask mask({"*"});
  EXPECT_EQ(mask.mask("a*b"), "a***b");
}

TEST(SecretMaskTest, HidesEachLongLineOfAMultiLineValue) {
  SecretMask mask({"-----BEGIN KEY-----\r\nMIIBOgIBAAJBAK\n}\n"});
  EXPECT_EQ(mask.mask("line MIIBOgIBAAJBAK here"), "line *** here");
  EXPECT_EQ(mask.mask("-----BEGIN KEY-----"), "***");
  EXPECT_EQ(mask.mask("{ }"), "{ }") << "short lines are not hidden alone";
}

TEST(SecretMaskTest, HidesTheJsonEscapedFormInText) {
  SecretMask mask({"pa\"ss\\word"});
  nlohmann::json dumped = {{"password", "pa\"ss\\word"}};
  EXPECT_EQ(mask.mask("parameter is " + dumped.dump()), R"(parameter is {"password":"***"})");
}

TEST(SecretMaskTest, JsonStaysValidAndHidesDecodedStringsKeysAndNumbers) {
  SecretMask mask({"s3cr\"et", "12345"});
  nlohmann::json output = {
      {"stdout", "token=s3cr\"et\n"}, {"s3cr\"et", 1}, {"n", 12345}, {"list", {"a", "xs3cr\"etx"}}};
  std::string masked = mask.mask_json(output.dump());
  nlohmann::json parsed = nlohmann::json::parse(masked);
  EXPECT_EQ(parsed["stdout"], "token=***\n");
  EXPECT_TRUE(parsed.contains("***"));
  EXPECT_EQ(parsed["n"], "***");
  EXPECT_EQ(parsed["list"][1], "x***x");
  EXPECT_EQ(masked.find("s3cr"), std::string::npos);
}

TEST(SecretMaskTest, JsonWithUnicodeEscapesIsDecodedFirst) {
  SecretMask mask({"abc"});
  EXPECT_EQ(mask.mask_json(R"({"x":"\u0061bc"})"), R"({"x":"***"})");
}

TEST(SecretMaskTest, JsonUntouchedWhenNothingIsSecret) {
  SecretMask mask({"abc"});
  std::string text = R"({"x": [1, 2],   "y": "z"})";
  EXPECT_EQ(mask.mask_json(text), text) << "not re-encoded";
}

TEST(SecretMaskTest, ValueAcrossJsonTokensHidesTheWholeOutput) {
  SecretMask mask({"a\",\"b"});  // spells the text between two strings
  EXPECT_EQ(mask.mask_json(R"(["a","b"])"), R"("***")");
}

TEST(SecretMaskTest, TextThatIsNotJsonIsMaskedAsText) {
  SecretMask mask({"abc"});
  EXPECT_EQ(mask.mask_json("not json abc"), "not json ***");
}

}  // namespace
}  // namespace flowweaver
