// The text notify.email uploads (RFC 5322 headers and a base64 body) and its envelope, built
// from plain fields with no network, so that every way a field can be wrong is unit-tested.
#pragma once

#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowweaver::notify {

struct EmailFields {
  std::string from;             // "alerts@example.com" or "Alerts <alerts@example.com>"
  std::vector<std::string> to;  // each as `from`
  std::string subject;          // any UTF-8; line breaks become spaces
  std::string body;             // any UTF-8; line breaks become CRLF on the wire
  std::string date;             // RFC 5322 date (rfc5322_date)
  std::string message_id;       // "<...@...>"
};

struct EmailMessage {
  std::string envelope_from;             // MAIL FROM: the bare address
  std::vector<std::string> envelope_to;  // RCPT TO: bare addresses
  std::string message_id;                // as in the Message-ID header
  std::string text;                      // what DATA sends, CRLF line ends
};

// Thrown for an address that is not one; what() names the field and shows the value.
class BadAddress : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// "Name <a@b.c>" or "a@b.c" -> "a@b.c". `field` names the parameter in the error ("to[2]").
// Only ASCII addresses: an address with other characters would need SMTPUTF8.
std::string bare_address(const std::string& field, const std::string& value);

EmailMessage email_message(const EmailFields& fields);

// "Sat, 05 Dec 2026 09:40:00 +0000" for `when`, in UTC, whatever the locale.
std::string rfc5322_date(std::time_t when);

// `text` as base64 in lines of 76 characters, each ending in CRLF.
std::string base64_lines(const std::string& text);

// A Subject value: as is when plain short ASCII, else RFC 2047 encoded words (UTF-8, base64),
// folded so that no line grows past 78 characters and no character is split between words.
std::string subject_header_value(const std::string& subject);

}  // namespace flowweaver::notify
