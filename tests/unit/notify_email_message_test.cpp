// notify.email's message text and envelope, built without a server.
#include <gtest/gtest.h>

#include "email_message.h"

namespace flowweaver::notify {
namespace {

EmailFields fields() {
  EmailFields f;
  f.from = "Night jobs <jobs@example.com>";
  f.to = {"ops@example.com"};
  f.subject = "nightly failed";
  f.body = "line one\nline two\r\n.starts with a dot\n";
  f.date = "Sat, 05 Dec 2026 09:40:00 +0000";
  f.message_id = "<flowweaver.1@example.com>";
  return f;
}

TEST(EmailMessageTest, HeadersEnvelopeAndBase64BodyWithCrlfLines) {
  EmailMessage m = email_message(fields());
  EXPECT_EQ(m.envelope_from, "jobs@example.com");
  EXPECT_EQ(m.envelope_to, std::vector<std::string>{"ops@example.com"});
  EXPECT_EQ(m.message_id, "<flowweaver.1@example.com>");
  EXPECT_EQ(m.text,
            "Date: Sat, 05 Dec 2026 09:40:00 +0000\r\n"
            "From: Night jobs <jobs@example.com>\r\n"
            "To: ops@example.com\r\n"
            "Subject: nightly failed\r\n"
            "Message-ID: <flowweaver.1@example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n" +
                base64_lines("line one\r\nline two\r\n.starts with a dot\r\n"));
}

TEST(EmailMessageTest, Base64MatchesTheRfcVectorsAndWrapsAt76) {
  EXPECT_EQ(base64_lines(""), "");
  EXPECT_EQ(base64_lines("f"), "Zg==\r\n");
  EXPECT_EQ(base64_lines("fo"), "Zm8=\r\n");
  EXPECT_EQ(base64_lines("foobar"), "Zm9vYmFy\r\n");
  std::string long_text(120, 'a');  // 160 base64 characters: lines of 76, 76, 8
  std::string lines = base64_lines(long_text);
  EXPECT_EQ(lines.find("\r\n"), 76u);
  EXPECT_EQ(lines.size(), 160u + 3 * 2);
}

TEST(EmailMessageTest, SeveralRecipientsAreFoldedIntoOneToHeader) {
  EmailFields f = fields();
  f.to = {"a@example.com", "Bee <b@example.org>"};
  EmailMessage m = email_message(f);
  EXPECT_EQ(m.envelope_to, (std::vector<std::string>{"a@example.com", "b@example.org"}));
  EXPECT_NE(m.text.find("To: a@example.com,\r\n Bee <b@example.org>\r\n"), std::string::npos);
}

TEST(EmailMessageTest, ANonAsciiOrLongSubjectBecomesEncodedWordsThatSplitNoCharacter) {
  EXPECT_EQ(subject_header_value("Échec"), "=?UTF-8?B?w4ljaGVj?=");
  // 30 two-byte characters: 60 bytes, cut before byte 45 would split one; the cut is at 44.
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "é";
  std::string value = subject_header_value(subject);
  size_t fold = value.find("\r\n ");
  ASSERT_NE(fold, std::string::npos);
  EXPECT_EQ(value.substr(0, fold),
            "=?UTF-8?B?" + std::string(base64_lines(subject.substr(0, 44))).substr(0, 60) + "?=");
  for (size_t line = 0, next; line < value.size(); line = next + 3) {
    next = value.find("\r\n ", line);
    if (next == std::string::npos) next = value.size();
    EXPECT_LE(next - line, 76u);
  }
}

TEST(EmailMessageTest, LineBreaksInTheSubjectBecomeSpacesSoNoHeaderCanBeInjected) {
  EmailFields f = fields();
  f.subject = "failed\r\nBcc: everyone@example.com";
  EmailMessage m = email_message(f);
  EXPECT_NE(m.text.find("Subject: failed  Bcc: everyone@example.com\r\n"), std::string::npos);
  EXPECT_EQ(m.text.find("\r\nBcc:"), std::string::npos);
}

TEST(EmailMessageTest, WhatIsNotAnAddressIsRefusedNamingTheParameter) {
  for (const char* bad : {"ops", "@example.com", "ops@", "a@b@c", "ops @example.com",
                          "ops@example.com\r\nBcc: x@y.z", "Ops <ops>", "<>", "jürgen@example.com",
                          "Jürgen <j@example.com>", "a@example.com, b@example.com"}) {
    EmailFields f = fields();
    f.to = {"ok@example.com", bad};
    try {
      email_message(f);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const BadAddress& e) {
      EXPECT_NE(std::string(e.what()).find("parameter 'to[1]': \""), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("is not an email address"), std::string::npos);
    }
  }
  EmailFields f = fields();
  f.from = "nobody";
  EXPECT_THROW(email_message(f), BadAddress);
  f = fields();
  f.to = {};
  EXPECT_THROW(email_message(f), BadAddress);
}

TEST(EmailMessageTest, DatesAreRfc5322InUtcWhateverTheLocale) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(1796378400), "Fri, 04 Dec 2026 10:00:00 +0000");
}

}  // namespace
}  // namespace flowweaver::notify
