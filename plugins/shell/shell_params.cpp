#include "shell_params.h"

#include <string>
#include <vector>

namespace flowweaver {
namespace {

constexpr const char* kShell = "/bin/sh";

// A scalar as the text a command line or environment carries.
std::string text_of(const Json& value, const std::string& where) {
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_number() || value.is_boolean()) {
    text = value.dump();
  } else {
    throw PermanentError("parameter '" + where + "' must be a string, but is " + value.dump());
  }
  if (text.find('\0') != std::string::npos) {
    throw PermanentError("parameter '" + where + "' contains a NUL character");
  }
  return text;
}

std::vector<std::string> words_of(const Json& command) {
  if (!command.is_array() || command.empty()) {
    throw PermanentError(
        "parameter 'command' must be a non-empty list of strings (or one string with "
        "shell: true), but is " +
        command.dump());
  }
  std::vector<std::string> words;
  for (size_t i = 0; i < command.size(); ++i) {
    words.push_back(text_of(command[i], "command[" + std::to_string(i) + "]"));
  }
  if (words[0].empty()) throw PermanentError("parameter 'command[0]' is empty");
  return words;
}

std::vector<std::string> argv_of(const Json& command, bool shell) {
  if (command.is_string() && !shell) {
    throw PermanentError(
        "parameter 'command' is a string, but shell is false: give the command as a list "
        "(e.g. [ls, -l]) or set shell: true to run it with " +
        std::string(kShell) + " -c");
  }
  if (command.is_string()) return {kShell, "-c", text_of(command, "command")};
  std::vector<std::string> words = words_of(command);
  if (!shell) return words;
  // sh -c SCRIPT NAME ARGS...: NAME becomes $0 and ARGS $1, $2, ...
  std::vector<std::string> argv = {kShell, "-c", words[0], "sh"};
  argv.insert(argv.end(), words.begin() + 1, words.end());
  return argv;
}

std::map<std::string, std::string> env_of(const Json& env) {
  if (!env.is_object()) throw PermanentError("parameter 'env' must be an object of strings");
  std::map<std::string, std::string> variables;
  for (const auto& [name, value] : env.items()) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos) {
      throw PermanentError("parameter 'env' has an invalid variable name '" + name + "'");
    }
    variables[name] = text_of(value, "env." + name);
  }
  return variables;
}

size_t max_output_of(const Json& value) {
  if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<int64_t>() < 0)) {
    throw PermanentError("parameter 'max_output' must be a byte count (0 or more), but is " +
                         value.dump());
  }
  return static_cast<size_t>(value.get<uint64_t>());
}

const Json& param(const Json& with, const char* name) {
  auto it = with.find(name);
  if (it == with.end()) throw PermanentError(std::string("missing parameter '") + name + "'");
  return *it;
}

}  // namespace

ShellParams parse_shell_params(const Json& with) {
  const Json& shell = param(with, "shell");
  if (!shell.is_boolean()) throw PermanentError("parameter 'shell' must be true or false");
  const Json& cwd = param(with, "cwd");
  if (!cwd.is_string()) throw PermanentError("parameter 'cwd' must be a string");
  ShellParams params;
  params.command.argv = argv_of(param(with, "command"), shell.get<bool>());
  params.command.env = env_of(param(with, "env"));
  params.command.cwd = text_of(cwd, "cwd");
  params.max_output_bytes = max_output_of(param(with, "max_output"));
  params.parse = stdout_parse_of(param(with, "parse"));
  return params;
}

}  // namespace flowweaver
