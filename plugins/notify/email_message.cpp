#include "email_message.h"

#include <nettle/base64.h>

#include <algorithm>
#include <cstdint>

namespace flowweaver::notify {
namespace {

std::string base64(const std::string& bytes) {
  std::string out(BASE64_ENCODE_RAW_LENGTH(bytes.size()), '\0');
  base64_encode_raw(out.data(), bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
  return out;
}

bool is_plain_ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
}

std::string line_breaks_as_spaces(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  return text;
}

// CRLF for every kind of line end, as SMTP requires; libcurl escapes lines starting with '.'.
std::string crlf_lines(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool valid_address_text(const std::string& address) {
  size_t at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string::npos) return false;
  return std::all_of(address.begin(), address.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && c != '<' && c != '>' && c != ',' && c != '"';
  });
}

std::string header_address_list(const std::vector<std::string>& addresses) {
  std::string joined;
  for (const std::string& address : addresses) {
    if (!joined.empty()) joined += ",\r\n ";
    joined += address;
  }
  return joined;
}

}  // namespace

std::string bare_address(const std::string& field, const std::string& value) {
  std::string address = value;
  size_t open = value.rfind('<');
  if (open != std::string::npos && !value.empty() && value.back() == '>') {
    address = value.substr(open + 1, value.size() - open - 2);
    std::string name = value.substr(0, open);
    if (!is_plain_ascii(name) || name.find_first_of("<>") != std::string::npos) address.clear();
  }
  if (!valid_address_text(address)) {
    throw BadAddress("parameter '" + field + "': \"" + line_breaks_as_spaces(value) +
                     "\" is not an email address (expected name@example.com or "
                     "Name <name@example.com>, ASCII only)");
  }
  return address;
}

std::string base64_lines(const std::string& text) {
  std::string encoded = base64(text);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

std::string subject_header_value(const std::string& subject) {
  std::string text = line_breaks_as_spaces(subject);
  if (is_plain_ascii(text) && text.size() <= 60) return text;
  // 45 bytes give 60 base64 characters: with "=?UTF-8?B?" and "?=" a word stays under 76.
  std::string words;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = std::min(begin + 45, text.size());
    while (end < text.size() && end > begin + 1 && is_continuation_byte(text[end])) --end;
    if (!words.empty()) words += "\r\n ";
    words += "=?UTF-8?B?" + base64(text.substr(begin, end - begin)) + "?=";
    begin = end;
  }
  return words;
}

std::string rfc5322_date(std::time_t when) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday],
                utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

EmailMessage email_message(const EmailFields& fields) {
  EmailMessage message;
  message.envelope_from = bare_address("from", fields.from);
  if (fields.to.empty()) throw BadAddress("parameter 'to': no recipient given");
  for (size_t i = 0; i < fields.to.size(); ++i) {
    std::string field = fields.to.size() == 1 ? "to" : "to[" + std::to_string(i) + "]";
    message.envelope_to.push_back(bare_address(field, fields.to[i]));
  }
  message.message_id = fields.message_id;
  message.text = "Date: " + fields.date + "\r\n" + "From: " + fields.from + "\r\n" +
                 "To: " + header_address_list(fields.to) + "\r\n" +
                 "Subject: " + subject_header_value(fields.subject) + "\r\n" +
                 "Message-ID: " + fields.message_id + "\r\n" +
                 "MIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n"
                 "\r\n" +
                 base64_lines(crlf_lines(fields.body));
  return message;
}

}  // namespace flowweaver::notify
