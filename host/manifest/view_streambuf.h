// An input stream buffer over bytes the caller owns, so yaml-cpp (which reads std::istream)
// parses a document in place instead of from a copy in a std::stringstream.
#pragma once

#include <streambuf>
#include <string_view>

namespace flowweaver {

class ViewStreamBuf : public std::streambuf {
 public:
  // `text` must outlive the buffer.
  explicit ViewStreamBuf(std::string_view text) {
    // Only ever read: a putback of a different character fails instead of writing.
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

}  // namespace flowweaver
