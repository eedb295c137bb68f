// Reading a JSON state file as bytes, for the commands that look at it without opening it as a
// store (check, backup). The JSON store replaces the file by rename, so one read sees one whole
// version of it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace flowweaver {

// The file's bytes; throws Error::State when it cannot be read.
std::string read_json_state_file(const std::string& path);

// Whether `doc` has the shape of a JSON state: an object with a "runs" list.
bool is_json_state_document(const nlohmann::json& doc);

}  // namespace flowweaver
