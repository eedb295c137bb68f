// Reads comma-separated values as RFC 4180 describes them, with the leniencies real exports
// need: records end in LF or CRLF, the last one may lack a line break, blank lines are skipped
// and a UTF-8 byte order mark is ignored. A field may be quoted; inside quotes, "" is one quote
// and commas and line breaks are data. The first record is the header.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace flowweaver::etl {

// Why a file could not be read or parsed. what() names the source, and the line when the text
// is at fault ("customers.csv:7: ...").
class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CsvRecord {
  size_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;  // each has exactly header.size() fields
};

// Parses `text`; `source` names it in error messages. Throws CsvError when there is no header,
// a header name is empty or repeated, a quote is misplaced or unterminated, or a row's field
// count differs from the header's.
CsvTable parse_csv(std::string_view text, const std::string& source);

// Reads and parses the file at `path`. Throws CsvError naming the path when it cannot be read.
CsvTable read_csv_file(const std::string& path);

}  // namespace flowweaver::etl
