#include "util/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>

#include "scratch_dir.h"
#include "util/error.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

using testing::ScratchDir;

// The examples of FIPS 180-4's companion document (NIST, "SHA256.pdf") and the one-million-'a'
// message of FIPS 180-2.
TEST(Sha256Test, NistExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnop"
                 "qklmnopqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// coreutils' sha256sum as an independent judge, for every length around the padding's edges
// (55/56 bytes: the length fits in the last block or not; 64: a whole block) and for a file
// larger than one read.
TEST(Sha256Test, FilesHashAsSha256sumHashesThem) {
  ScratchDir dir;
  std::mt19937 random(7);
  std::map<std::string, fs::path> files;
  std::vector<size_t> sizes;
  for (size_t size = 0; size <= 200; ++size) sizes.push_back(size);
  sizes.push_back(65536);
  sizes.push_back(200003);
  for (size_t size : sizes) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    fs::path file = dir.path() / ("f" + std::to_string(size));
    std::ofstream(file, std::ios::binary) << bytes;
    files[file.filename().string()] = file;
  }
  std::string command = "cd '" + dir.path().string() + "' && sha256sum f*";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char digest[65], name[256];
  size_t compared = 0;
  while (std::fscanf(pipe, "%64s %255s", digest, name) == 2) {
    std::string file_name = name[0] == '*' ? name + 1 : name;
    ASSERT_TRUE(files.count(file_name)) << file_name;
    EXPECT_EQ(sha256_of_file(files[file_name]), digest) << file_name;
    ++compared;
  }
  ASSERT_EQ(::pclose(pipe), 0);
  EXPECT_EQ(compared, files.size());
}

TEST(Sha256Test, AFileThatCannotBeReadIsAnErrorNamingIt) {
  ScratchDir dir;
  try {
    sha256_of_file(dir.path() / "missing.so");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.so: No such file or directory"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace flowweaver
