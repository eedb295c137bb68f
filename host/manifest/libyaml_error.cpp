#include "manifest/libyaml_error.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

namespace flowweaver {
namespace {

// What libyaml said, in one piece.
struct Failure {
  std::string_view problem;
  std::string_view context;
  SourceLocation problem_at;
  SourceLocation context_at;
};

std::string at(SourceLocation where) {
  return "line " + std::to_string(where.line) + " column " + std::to_string(where.column);
}

// libyaml's words, to close a message of ours.
std::string libyaml_says(const Failure& f) {
  std::string out = " (libyaml: ";
  if (!f.context.empty()) out.append(f.context).append(", ");
  return out.append(f.problem).append(" at ").append(at(f.problem_at)).append(")");
}

// The first byte of the character at `where`, if the text has one there. Lines are counted
// at '\n' and columns in UTF-8 characters, as libyaml counts them in plain files.
std::optional<char> char_at(std::string_view text, SourceLocation where) {
  size_t offset = 0;
  for (int line = 1; line < where.line; ++line) {
    offset = text.find('\n', offset);
    if (offset == std::string_view::npos) return std::nullopt;
    ++offset;
  }
  for (int column = 1; offset < text.size(); ++offset) {
    bool starts_char = (static_cast<unsigned char>(text[offset]) & 0xC0) != 0x80;
    if (starts_char && column++ == where.column) return text[offset];
  }
  return std::nullopt;
}

SourceLocation end_of(std::string_view text) {
  size_t last_break = text.rfind('\n');
  size_t line_start = last_break == std::string_view::npos ? 0 : last_break + 1;
  std::string_view last_line = text.substr(line_start);
  int columns = static_cast<int>(std::count_if(last_line.begin(), last_line.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
  return {1 + static_cast<int>(std::count(text.begin(), text.end(), '\n')), columns + 1};
}

SourceLocation location_of_offset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return end_of(text.substr(0, offset));
}

// A reader error: a byte or character libyaml will not take, at a byte offset.
YamlSyntaxError reader_error(const yaml_parser_t& parser, std::string_view text) {
  SourceLocation where = location_of_offset(text, parser.problem_offset);
  std::string problem = parser.problem ? parser.problem : "unreadable input";
  if (problem == "control characters are not allowed") {
    char code[16];
    std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(parser.problem_value));
    return {where, std::string("invalid YAML: control character ") + code +
                       " is not allowed: remove it, or write it as an escape (\\x..) in a "
                       "double-quoted string"};
  }
  return {where, "invalid YAML: " + problem};
}

bool same(SourceLocation a, SourceLocation b) { return a.line == b.line && a.column == b.column; }

std::optional<YamlSyntaxError> unterminated_quote(const Failure& f, std::string_view text) {
  if (f.context != "while scanning a quoted scalar" ||
      f.problem != "found unexpected end of stream") {
    return std::nullopt;
  }
  const char* kind = char_at(text, f.context_at) == '\'' ? "single" : "double";
  return YamlSyntaxError(f.context_at, std::string("invalid YAML: unterminated ") + kind +
                                           "-quoted string: close the quote" + libyaml_says(f));
}

std::string opener(const OpenCollectionMark& c) { return c.map ? "'{'" : "'['"; }
std::string closer(const OpenCollectionMark& c) { return c.map ? "'}'" : "']'"; }

// The file ended, or something else came, inside [...] or {...}: point at the bracket.
std::optional<YamlSyntaxError> unclosed_bracket(const Failure& f, std::string_view text,
                                                const std::vector<OpenCollectionMark>& open) {
  if (open.empty() || !open.back().flow) return std::nullopt;
  const OpenCollectionMark& c = open.back();
  if (same(f.problem_at, end_of(text))) {
    return YamlSyntaxError(c.location, "invalid YAML: this " + opener(c) +
                                           " is never closed: close it with " + closer(c) +
                                           libyaml_says(f));
  }
  if (f.context == "while parsing a flow sequence" || f.context == "while parsing a flow mapping") {
    return YamlSyntaxError(c.location, "invalid YAML: this " + opener(c) +
                                           " is not closed where expected, at " + at(f.problem_at) +
                                           ": close it with " + closer(c) +
                                           " and separate its items with ','" + libyaml_says(f));
  }
  return std::nullopt;
}

std::optional<YamlSyntaxError> tab_indent(const Failure& f, std::string_view text) {
  bool tab = f.problem == "found a tab character that violates indentation" ||
             (f.problem == "found character that cannot start any token" &&
              char_at(text, f.problem_at) == '\t');
  if (!tab) return std::nullopt;
  return YamlSyntaxError(f.problem_at,
                         "invalid YAML: a tab where YAML expects indentation or a value; YAML "
                         "indents with spaces only: replace the tab with spaces" +
                             libyaml_says(f));
}

std::optional<YamlSyntaxError> known_problem(const Failure& f) {
  if (f.problem == "mapping values are not allowed in this context") {
    return YamlSyntaxError(f.problem_at,
                           "invalid YAML: ': ' here would start a map inside a value: quote the "
                           "value, or put the map on lines of its own" +
                               libyaml_says(f));
  }
  if (f.problem == "did not find expected <document start>") {
    return YamlSyntaxError(f.problem_at,
                           "invalid YAML: text after the end of the document ('...'): remove "
                           "it, or the '...'" +
                               libyaml_says(f));
  }
  return std::nullopt;
}

// Anything else, in libyaml's words: the problem where it is, and what libyaml was reading.
YamlSyntaxError generic(const Failure& f) {
  std::string message = "invalid YAML: " + std::string(f.problem);
  if (!f.context.empty() && !same(f.context_at, f.problem_at)) {
    message.append(" ").append(f.context).append(" that starts at ").append(at(f.context_at));
  } else if (!f.context.empty()) {
    message.append(" ").append(f.context);
  }
  return {f.problem_at, message};
}

}  // namespace

SourceLocation location_of(const yaml_mark_t& mark) {
  return {static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1};
}

YamlSyntaxError describe_libyaml_error(const yaml_parser_t& parser, std::string_view text,
                                       const std::vector<OpenCollectionMark>& open) {
  if (parser.error == YAML_MEMORY_ERROR) return {{}, "out of memory while reading the YAML"};
  if (parser.error == YAML_READER_ERROR) return reader_error(parser, text);
  Failure f{parser.problem ? parser.problem : "unknown error", parser.context ? parser.context : "",
            location_of(parser.problem_mark), location_of(parser.context_mark)};
  if (auto e = unterminated_quote(f, text)) return *e;
  if (auto e = unclosed_bracket(f, text, open)) return *e;
  if (auto e = tab_indent(f, text)) return *e;
  if (auto e = known_problem(f)) return *e;
  return generic(f);
}

}  // namespace flowweaver
