#include "cluster/host_id.h"

#include <unistd.h>

#include <array>
#include <cctype>

namespace flowweaver {

std::string default_host_id() {
  std::array<char, 256> name{};
  std::string host = ::gethostname(name.data(), name.size() - 1) == 0 ? name.data() : "";
  std::string id;
  for (char c : host) {  // a host name may hold characters an id may not
    id += is_valid_host_id(std::string_view(&c, 1)) ? c : '_';
  }
  if (id.empty()) id = "host";
  id = id.substr(0, 40) + "-" + std::to_string(::getpid());
  return id;
}

bool is_valid_host_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace flowweaver
