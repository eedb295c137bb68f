#include "plugin/elf_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace flowweaver {
namespace {

using ::testing::HasSubstr;

class ElfCheckTest : public ::testing::Test {
 protected:
  ElfCheckTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("fw-elf-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
  }
  ~ElfCheckTest() override { std::filesystem::remove_all(dir_); }

  // The first `bytes` of this test binary (a position-independent ELF), or all of it.
  std::filesystem::path copy_of_self(std::optional<size_t> bytes) {
    std::ifstream in("/proc/self/exe", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::path out = dir_ / "copy.so";
    std::ofstream(out, std::ios::binary) << all.substr(0, bytes.value_or(all.size()));
    return out;
  }

  std::filesystem::path dir_;
};

TEST_F(ElfCheckTest, AcceptsACompleteSharedObject) {
  EXPECT_EQ(check_elf_shared_object(copy_of_self(std::nullopt)), std::nullopt);
}

TEST_F(ElfCheckTest, RefusesATruncatedCopy) {
  auto problem = check_elf_shared_object(copy_of_self(20000));
  ASSERT_TRUE(problem.has_value());
  EXPECT_THAT(*problem, HasSubstr("truncated"));
}

TEST_F(ElfCheckTest, RefusesFilesThatAreNotElf) {
  std::ofstream(dir_ / "text.so") << "#!/bin/sh\n" << std::string(200, '#') << "\n";
  EXPECT_THAT(check_elf_shared_object(dir_ / "text.so").value_or(""), HasSubstr("not an ELF file"));
  std::ofstream(dir_ / "tiny.so") << "x";
  EXPECT_THAT(check_elf_shared_object(dir_ / "tiny.so").value_or(""), HasSubstr("too short"));
}

}  // namespace
}  // namespace flowweaver
