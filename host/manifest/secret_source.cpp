#include "manifest/secret_source.h"

#include <filesystem>

#include "util/secret_file.h"

namespace flowweaver {

std::string secret_env_name(const std::string& name) { return "FLOWWEAVER_SECRET_" + name; }

SecretLookup find_secret(const std::string& name,
                         const std::function<std::optional<std::string>(const std::string&)>& env) {
  std::string variable = secret_env_name(name);
  std::optional<std::string> directory = env("CREDENTIALS_DIRECTORY");
  std::string file_place = "$CREDENTIALS_DIRECTORY/" + name + " (CREDENTIALS_DIRECTORY is not set)";
  if (directory && !directory->empty()) {
    std::filesystem::path file = std::filesystem::path(*directory) / name;
    file_place = file.string();
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
      std::string problem;
      if (std::optional<std::string> value = read_secret_file(file, &problem)) return {value, ""};
      return {std::nullopt, "secret '" + name + "': the file " + file.string() + " " + problem};
    }
  }
  if (std::optional<std::string> value = env(variable)) {
    if (!value->empty()) return {value, ""};
    return {std::nullopt,
            "secret '" + name + "': the environment variable " + variable + " is set but empty"};
  }
  return {std::nullopt, "secret '" + name + "' is not set: give it in the file " + file_place +
                            " or in the environment variable " + variable};
}

}  // namespace flowweaver
