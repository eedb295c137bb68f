#include "csv_reader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

namespace flowweaver::etl {
namespace {

std::string at_line(const std::string& source, size_t line) {
  return source + ":" + std::to_string(line) + ": ";
}

// Splits text into records one at a time, tracking line numbers for error messages.
class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& source) : text_(text), source_(source) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  // Fills `record` with the next non-blank record; false at the end of the text.
  bool next(CsvRecord* record) {
    while (at_line_break()) consume_line_break();
    if (at_end()) return false;
    record->line = line_;
    record->fields.clear();
    while (true) {
      record->fields.push_back(text_[pos_] == '"' ? quoted_field() : plain_field());
      if (at_end()) return true;
      if (text_[pos_] != ',') {
        consume_line_break();
        return true;
      }
      ++pos_;
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }

  // LF, CRLF, or a CR that ends the text.
  bool at_line_break() const {
    if (at_end()) return false;
    if (text_[pos_] == '\n') return true;
    return text_[pos_] == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n');
  }

  void consume_line_break() {
    if (text_[pos_] == '\r') ++pos_;
    if (!at_end() && text_[pos_] == '\n') ++pos_;
    ++line_;
  }

  std::string plain_field() {
    size_t begin = pos_;
    while (!at_end() && text_[pos_] != ',' && !at_line_break()) {
      if (text_[pos_] == '"') {
        throw CsvError(at_line(source_, line_) +
                       "a quote inside an unquoted field (quote the whole field and write \"\" "
                       "for each quote in it)");
      }
      ++pos_;
    }
    return std::string(text_.substr(begin, pos_ - begin));
  }

  std::string quoted_field() {
    size_t start_line = line_;
    std::string value;
    ++pos_;  // the opening quote
    while (true) {
      if (at_end()) {
        throw CsvError(at_line(source_, start_line) + "a quoted field is never closed");
      }
      char c = text_[pos_++];
      if (c == '"') {
        if (at_end() || text_[pos_] != '"') break;
        ++pos_;  // "" stands for one quote
      } else if (c == '\n') {
        ++line_;
      }
      value += c;
    }
    if (!at_end() && text_[pos_] != ',' && !at_line_break()) {
      throw CsvError(at_line(source_, line_) + "unexpected '" + std::string(1, text_[pos_]) +
                     "' after a closing quote (expected a comma or the end of the line)");
    }
    return value;
  }

  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

void check_header(const CsvRecord& header, const std::string& source) {
  std::set<std::string> seen;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& name = header.fields[i];
    if (name.empty()) {
      throw CsvError(at_line(source, header.line) + "header column " + std::to_string(i + 1) +
                     " has no name");
    }
    if (!seen.insert(name).second) {
      throw CsvError(at_line(source, header.line) + "column '" + name +
                     "' appears twice in the header");
    }
  }
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& source) {
  CsvParser parser(text, source);
  CsvRecord header;
  if (!parser.next(&header)) throw CsvError(source + ": the file is empty; expected a header row");
  check_header(header, source);
  CsvTable table;
  table.header = std::move(header.fields);
  CsvRecord row;
  while (parser.next(&row)) {
    if (row.fields.size() != table.header.size()) {
      throw CsvError(at_line(source, row.line) + "expected " + std::to_string(table.header.size()) +
                     " fields as in the header, found " + std::to_string(row.fields.size()));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

CsvTable read_csv_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw CsvError("cannot open '" + path + "': " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) {
    throw CsvError("cannot read '" + path + "': " + std::strerror(errno));
  }
  return parse_csv(text, path);
}

}  // namespace flowweaver::etl
