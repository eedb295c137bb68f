// User and plugin text is printed with its control characters escaped: in diagnostics, in the
// log, in error messages. One line of output stays one line, and no escape sequence reaches the
// terminal.
#include "util/printable.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "manifest/diagnostic.h"
#include "util/log_format.h"

namespace flowweaver {
namespace {

TEST(PrintableTest, EscapesControlCharactersAndKeepsTheRest) {
  EXPECT_EQ(printable("plain text, ünïcode ✓"), "plain text, ünïcode ✓");
  EXPECT_EQ(printable("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(printable("\x1b[2J\x1b[31mred"), "\\x1b[2J\\x1b[31mred");
  EXPECT_EQ(printable(std::string("nul\0here", 8)), "nul\\x00here");
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
  EXPECT_EQ(printable("csi\xc2\x9b"
                      "2J"),
            "csi\\u009b2J");                     // C1, as UTF-8
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0");  // U+00A0 is no control character
  EXPECT_EQ(printable("bad \xff utf-8"), "bad \xff utf-8");
  EXPECT_EQ(printable("trailing \xc2"), "trailing \xc2");
}

TEST(PrintableTest, DiagnosticsPrintKeysAndFileNamesEscaped) {
  DiagnosticList list("evil\n.yaml");
  list.add({3, 5}, "unknown key 'x\x1b[2Jy'\nfake.yaml:1:1: ok");
  EXPECT_EQ(list.to_string(), "evil\\n.yaml:3:5: unknown key 'x\\x1b[2Jy'\\nfake.yaml:1:1: ok\n");
}

TEST(PrintableTest, TheLogWritesOneLineAMessageWithoutEscapeSequences) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  sink->set_formatter(make_log_formatter());
  spdlog::logger log("test", sink);
  log.info("task {} failed: {}", "a\nb", "\x1b[31mboom\r");
  log.info("plain");
  std::string text = out.str();
  EXPECT_NE(text.find(" info task a\\nb failed: \\x1b[31mboom\\r\n"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace flowweaver
