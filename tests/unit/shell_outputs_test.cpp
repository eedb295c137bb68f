// The shell plugin's output parsers: `parse:` of stdout and the $FLOWWEAVER_OUTPUT file.
// Built into shell_unit_tests by plugins/shell.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "output_file.h"
#include "output_values.h"
#include "stdout_parsing.h"

namespace flowweaver {
namespace {

std::string permanent_error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const PermanentError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no PermanentError";
  return "";
}

TEST(StdoutParsingTest, ModesAreNamedAndAnythingElseIsRefusedWithTheAllowedValues) {
  EXPECT_EQ(stdout_parse_of("none"), StdoutParse::kNone);
  EXPECT_EQ(stdout_parse_of("text"), StdoutParse::kText);
  EXPECT_EQ(stdout_parse_of("lines"), StdoutParse::kLines);
  EXPECT_EQ(stdout_parse_of("json"), StdoutParse::kJson);
  EXPECT_EQ(permanent_error_of([] { stdout_parse_of("yaml"); }),
            "parameter 'parse' must be one of none, text, lines, json, but is \"yaml\"");
  EXPECT_NE(permanent_error_of([] { stdout_parse_of(3); }).find("but is 3"), std::string::npos);
}

TEST(StdoutParsingTest, TextLosesExactlyOneTrailingNewline) {
  EXPECT_EQ(parse_stdout(StdoutParse::kText, "abc\n", 0), "abc");
  EXPECT_EQ(parse_stdout(StdoutParse::kText, "abc\n\n", 0), "abc\n");
  EXPECT_EQ(parse_stdout(StdoutParse::kText, "abc", 0), "abc");
  EXPECT_EQ(parse_stdout(StdoutParse::kText, "", 0), "");
  EXPECT_EQ(parse_stdout(StdoutParse::kText, "a\xff\n", 0), "a\xEF\xBF\xBD");
}

TEST(StdoutParsingTest, LinesHaveNoTrailingEmptyLine) {
  EXPECT_EQ(parse_stdout(StdoutParse::kLines, "", 0), Json::array());
  EXPECT_EQ(parse_stdout(StdoutParse::kLines, "a\nb\n", 0), Json({"a", "b"}));
  EXPECT_EQ(parse_stdout(StdoutParse::kLines, "a\nb", 0), Json({"a", "b"}));
  EXPECT_EQ(parse_stdout(StdoutParse::kLines, "a\n\nb\n\n", 0), Json({"a", "", "b", ""}));
  EXPECT_EQ(parse_stdout(StdoutParse::kLines, "a\r\nb\r\n", 0), Json({"a", "b"}));
  EXPECT_EQ(parse_stdout(StdoutParse::kLines, "\n", 0), Json({""}));
}

TEST(StdoutParsingTest, JsonIsParsed) {
  EXPECT_EQ(parse_stdout(StdoutParse::kJson, "{\"n\": [1, 2]}\n", 0),
            Json::parse(R"({"n": [1, 2]})"));
  EXPECT_EQ(parse_stdout(StdoutParse::kJson, "42", 0), 42);
}

TEST(StdoutParsingTest, InvalidJsonFailsQuotingTheStartOfStdout) {
  std::string error =
      permanent_error_of([] { parse_stdout(StdoutParse::kJson, "Error: no such table\n", 0); });
  EXPECT_NE(error.find("parse: json: stdout is not valid JSON"), std::string::npos) << error;
  EXPECT_NE(error.find("it starts with: \"Error: no such table\\n\""), std::string::npos) << error;

  std::string long_text = "<" + std::string(1000, 'x');
  error = permanent_error_of([&] { parse_stdout(StdoutParse::kJson, long_text, 0); });
  EXPECT_NE(error.find("\"<" + std::string(199, 'x') + "...\""), std::string::npos) << error;
  EXPECT_EQ(error.find(std::string(200, 'x')), std::string::npos) << error;

  EXPECT_NE(permanent_error_of([] { parse_stdout(StdoutParse::kJson, "", 0); }).find("not valid"),
            std::string::npos);
}

TEST(StdoutParsingTest, TruncatedJsonFailsSayingItWasTruncated) {
  std::string error =
      permanent_error_of([] { parse_stdout(StdoutParse::kJson, "{\"a\": [1, 2", 10); });
  EXPECT_EQ(error,
            "parse: json: stdout was truncated (the first 11 bytes kept, 10 dropped), so it "
            "cannot be parsed: raise max_output");
}

TEST(OutputValuesTest, KeyValueLinesAndBlocks) {
  EXPECT_EQ(parse_output_values(""), Json::object());
  EXPECT_EQ(parse_output_values("a=1\nb=x=y\nempty=\n\nc=last"),
            Json::parse(R"({"a": "1", "b": "x=y", "empty": "", "c": "last"})"));
  EXPECT_EQ(parse_output_values("a=1\na=2\n"), Json::parse(R"({"a": "2"})"));
  EXPECT_EQ(parse_output_values("a=1\r\n"), Json::parse(R"({"a": "1"})"));
  EXPECT_EQ(parse_output_values("body<<EOF\nline one\n\nk=v\nEOF\nafter=yes\n"),
            Json::parse(R"({"body": "line one\n\nk=v", "after": "yes"})"));
  EXPECT_EQ(parse_output_values("empty<<END\nEND\n"), Json::parse(R"({"empty": ""})"));
  // "<<" after the first '=' is part of a value.
  EXPECT_EQ(parse_output_values("shift=1<<3\n"), Json::parse(R"({"shift": "1<<3"})"));
}

TEST(OutputValuesTest, MalformedLinesFailNamingTheLine) {
  EXPECT_EQ(permanent_error_of([] { parse_output_values("a=1\n\njust text\n"); }),
            "$FLOWWEAVER_OUTPUT line 3: \"just text\" is neither key=value nor key<<DELIMITER");
  EXPECT_EQ(permanent_error_of([] { parse_output_values("=1\n"); }),
            "$FLOWWEAVER_OUTPUT line 1: empty key in \"=1\"");
  EXPECT_EQ(permanent_error_of([] { parse_output_values("a=1\n<<EOF\nx\nEOF\n"); }),
            "$FLOWWEAVER_OUTPUT line 2: empty key in \"<<EOF\"");
  EXPECT_EQ(permanent_error_of([] { parse_output_values("body<<\nx\n"); }),
            "$FLOWWEAVER_OUTPUT line 1: empty delimiter in \"body<<\"");
  EXPECT_EQ(permanent_error_of([] { parse_output_values("a=1\nbody<<EOF\nx\nEOFX\n"); }),
            "$FLOWWEAVER_OUTPUT line 2: the block \"body<<EOF\" is never closed by a line "
            "\"EOF\"");
}

TEST(OutputFileTest, IsAFreshPrivateFileRemovedWithItsDirectory) {
  std::filesystem::path path;
  {
    OutputFile file;
    path = file.path();
    EXPECT_TRUE(std::filesystem::is_regular_file(path));
    EXPECT_EQ(std::filesystem::file_size(path), 0u);
    EXPECT_EQ(std::filesystem::status(path.parent_path()).permissions(),
              std::filesystem::perms::owner_all);
    std::ofstream(path, std::ios::app) << "a=1\n";
    EXPECT_EQ(file.read(), "a=1\n");
    std::ofstream(path.parent_path() / "left-behind") << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(path.parent_path()));
}

TEST(OutputFileTest, AFileLargerThanTheCapFailsForGood) {
  OutputFile file;
  std::ofstream(file.path()) << std::string(OutputFile::kMaxBytes, 'a');
  EXPECT_EQ(file.read().size(), OutputFile::kMaxBytes);
  std::ofstream(file.path(), std::ios::app) << "b";
  EXPECT_NE(permanent_error_of([&] { file.read(); }).find("larger than 1048576 bytes"),
            std::string::npos);
}

TEST(OutputFileTest, AFileTheCommandRemovedIsAnError) {
  OutputFile file;
  std::filesystem::remove(file.path());
  EXPECT_THROW(file.read(), std::runtime_error);
}

}  // namespace
}  // namespace flowweaver
