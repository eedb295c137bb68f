#include "state/json_state_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace flowweaver {

std::string read_json_state_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error::State("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_json_state_document(const nlohmann::json& doc) {
  return doc.is_object() && doc.contains("runs") && doc["runs"].is_array();
}

}  // namespace flowweaver
