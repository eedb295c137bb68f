#include "util/log_format.h"

#include <spdlog/pattern_formatter.h>

#include <string>

#include "util/printable.h"

namespace flowweaver {
namespace {

constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v";

class EscapingFormatter : public spdlog::formatter {
 public:
  EscapingFormatter() : pattern_(kPattern) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!has_control_characters(payload)) return pattern_.format(msg, dest);
    std::string escaped = printable(payload);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
    pattern_.format(copy, dest);
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<EscapingFormatter>();
  }

 private:
  spdlog::pattern_formatter pattern_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter() {
  return std::make_unique<EscapingFormatter>();
}

}  // namespace flowweaver
