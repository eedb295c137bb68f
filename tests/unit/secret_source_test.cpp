#include "manifest/secret_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "scratch_dir.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;

SecretLookup find(const std::string& name, const std::map<std::string, std::string>& env) {
  return find_secret(name, [&](const std::string& variable) -> std::optional<std::string> {
    auto it = env.find(variable);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

TEST(SecretSourceTest, FromTheEnvironment) {
  SecretLookup found = find("API_TOKEN", {{"FLOWWEAVER_SECRET_API_TOKEN", "v1"}});
  EXPECT_EQ(found.value, "v1");
}

TEST(SecretSourceTest, TheCredentialsFileComesFirstWithoutItsNewline) {
  testing::ScratchDir dir;
  std::ofstream(dir.file("API_TOKEN")) << "from-file\n";
  SecretLookup found = find("API_TOKEN", {{"CREDENTIALS_DIRECTORY", dir.path().string()},
                                          {"FLOWWEAVER_SECRET_API_TOKEN", "from-env"}});
  EXPECT_EQ(found.value, "from-file");
  // No file for this name: the environment.
  found = find("OTHER", {{"CREDENTIALS_DIRECTORY", dir.path().string()},
                         {"FLOWWEAVER_SECRET_OTHER", "from-env"}});
  EXPECT_EQ(found.value, "from-env");
}

TEST(SecretSourceTest, MissingNamesBothPlaces) {
  SecretLookup found = find("API_TOKEN", {});
  EXPECT_FALSE(found.value);
  EXPECT_EQ(found.problem,
            "secret 'API_TOKEN' is not set: give it in the file $CREDENTIALS_DIRECTORY/API_TOKEN "
            "(CREDENTIALS_DIRECTORY is not set) or in the environment variable "
            "FLOWWEAVER_SECRET_API_TOKEN");
  found = find("API_TOKEN", {{"CREDENTIALS_DIRECTORY", "/run/credentials/x"}});
  EXPECT_THAT(found.problem, HasSubstr("give it in the file /run/credentials/x/API_TOKEN or in the "
                                       "environment variable FLOWWEAVER_SECRET_API_TOKEN"));
}

TEST(SecretSourceTest, EmptyValuesAreErrors) {
  testing::ScratchDir dir;
  std::ofstream(dir.file("A")) << "\n";
  SecretLookup found = find(
      "A", {{"CREDENTIALS_DIRECTORY", dir.path().string()}, {"FLOWWEAVER_SECRET_A", "not used"}});
  EXPECT_FALSE(found.value);
  EXPECT_EQ(found.problem, "secret 'A': the file " + dir.file("A") + " is empty");
  found = find("B", {{"FLOWWEAVER_SECRET_B", ""}});
  EXPECT_EQ(found.problem,
            "secret 'B': the environment variable FLOWWEAVER_SECRET_B is set but empty");
}

}  // namespace
}  // namespace flowweaver
