// Where a declared secret's value comes from: the file $CREDENTIALS_DIRECTORY/NAME first (so
// systemd's LoadCredential=NAME:/path works as is), then the environment variable
// FLOWWEAVER_SECRET_NAME. Values are read when a manifest is loaded and live only in memory.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace flowweaver {

struct SecretLookup {
  std::optional<std::string> value;
  std::string problem;  // why there is no value: names the secret and every place looked at
};

// `env` reads the environment (CREDENTIALS_DIRECTORY and FLOWWEAVER_SECRET_NAME).
SecretLookup find_secret(const std::string& name,
                         const std::function<std::optional<std::string>(const std::string&)>& env);

// "FLOWWEAVER_SECRET_" + name.
std::string secret_env_name(const std::string& name);

}  // namespace flowweaver
