// What `flowweaver new-plugin` accepts as a name and the files it makes of it. That the files
// build and run against the installed SDK is proven by tests/new_plugin/run.sh.
#include "scaffold/plugin_scaffold.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scaffold/plugin_name.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PluginNameTest, LowercaseLettersDigitsAndUnderscoreStartingWithALetterAreAccepted) {
  for (const char* name : {"a", "greeter", "my_plugin", "s3", "x_1_y"}) {
    EXPECT_EQ(plugin_name_problem(name), std::nullopt) << name;
  }
}

TEST(PluginNameTest, OtherNamesAreRefusedWithTheRuleAndTheClosestValidName) {
  EXPECT_EQ(plugin_name_problem("My-Plugin"),
            "'My-Plugin' is not a plugin name: a plugin name is lowercase letters, digits and "
            "'_', starting with a letter (try 'my_plugin')");
  EXPECT_THAT(*plugin_name_problem("web.fetch"), HasSubstr("(try 'web_fetch')"));
  EXPECT_THAT(*plugin_name_problem("3d"), HasSubstr("(try 'p3d')"));
  EXPECT_THAT(*plugin_name_problem("_x"), HasSubstr("(try 'x')"));
  EXPECT_THAT(*plugin_name_problem("..."), HasSubstr("starting with a letter, e.g. my_plugin"));
  EXPECT_EQ(plugin_name_problem(""),
            "the plugin name is empty: a plugin name is lowercase letters, digits and '_', "
            "starting with a letter, e.g. my_plugin");
  EXPECT_THAT(*plugin_name_problem(std::string(65, 'a')),
              HasSubstr("is 65 characters long; at most 64 are allowed"));
  EXPECT_EQ(plugin_name_problem(std::string(64, 'a')), std::nullopt);
}

const ScaffoldFile* find(const std::vector<ScaffoldFile>& files, const std::string& path) {
  for (const ScaffoldFile& f : files) {
    if (f.relative_path == path) return &f;
  }
  return nullptr;
}

TEST(PluginScaffoldTest, ACppPluginUsesTheSdkAndItsNameEverywhere) {
  auto files = plugin_scaffold({"weather", PluginLanguage::kCpp, "/opt/fw"});
  std::vector<std::string> paths;
  for (const ScaffoldFile& f : files) {
    paths.push_back(f.relative_path);
    EXPECT_THAT(f.text, Not(HasSubstr("@"))) << f.relative_path << " has a placeholder left";
  }
  EXPECT_THAT(paths, ::testing::ElementsAre("CMakeLists.txt", "weather.cpp", "weather.yaml",
                                            "README.md", ".gitignore"));
  const std::string& cmake = find(files, "CMakeLists.txt")->text;
  EXPECT_THAT(cmake, HasSubstr("project(weather LANGUAGES CXX)"));
  EXPECT_THAT(cmake, HasSubstr("find_package(FlowWeaverSDK REQUIRED)"));
  EXPECT_THAT(cmake, HasSubstr("flowweaver_add_plugin(weather weather.cpp)"));
  EXPECT_THAT(find(files, "weather.cpp")->text, HasSubstr("FLOWWEAVER_PLUGIN(weather, \"0.1.0\")"));
  EXPECT_THAT(find(files, "weather.yaml")->text, HasSubstr("uses: weather.greet"));
  const std::string& readme = find(files, "README.md")->text;
  EXPECT_THAT(readme, HasSubstr("-DCMAKE_PREFIX_PATH=/opt/fw && cmake --build build\n"
                                "cmake --install build\n"
                                "flowweaver run weather.yaml\n"));
  EXPECT_THAT(readme, HasSubstr("A FlowWeaver plugin in C++"));
}

TEST(PluginScaffoldTest, ACPluginUsesPluginHAlone) {
  auto files = plugin_scaffold({"cweather", PluginLanguage::kC, "/usr/local"});
  ASSERT_NE(find(files, "cweather.c"), nullptr);
  EXPECT_EQ(find(files, "cweather.cpp"), nullptr);
  const std::string& source = find(files, "cweather.c")->text;
  EXPECT_THAT(source, HasSubstr("#include <flowweaver/plugin.h>"));
  EXPECT_THAT(source, Not(HasSubstr("sdk.hpp")));
  EXPECT_THAT(source, HasSubstr("\"cweather\", \"0.1.0\""));
  EXPECT_THAT(find(files, "CMakeLists.txt")->text, HasSubstr("project(cweather LANGUAGES C)"));
  EXPECT_THAT(find(files, "README.md")->text, HasSubstr("A FlowWeaver plugin in C,"));
}

TEST(PluginScaffoldTest, APrefixThatIsNotOneShellWordIsQuotedInTheReadmeCommand) {
  EXPECT_EQ(shell_word("/opt/flowweaver-1.2"), "/opt/flowweaver-1.2");
  EXPECT_EQ(shell_word("/home/ann/my tools"), "'/home/ann/my tools'");
  EXPECT_EQ(shell_word("/srv/ann's"), "'/srv/ann'\\''s'");
  EXPECT_EQ(shell_word(""), "''");
  auto files = plugin_scaffold({"w", PluginLanguage::kCpp, "/home/ann/my tools"});
  const std::string& readme = find(files, "README.md")->text;
  EXPECT_THAT(readme, HasSubstr("-DCMAKE_PREFIX_PATH='/home/ann/my tools' && cmake --build"));
  EXPECT_THAT(readme, HasSubstr("the FlowWeaver installed in `/home/ann/my tools`"));
}

}  // namespace
}  // namespace flowweaver
