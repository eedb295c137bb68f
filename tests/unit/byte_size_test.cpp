#include "util/byte_size.h"

#include <gtest/gtest.h>

namespace flowweaver {
namespace {

TEST(ByteSizeTest, UnitsAreBinaryInAnyCase) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("512"), 512u);
  EXPECT_EQ(parse_byte_size("512B"), 512u);
  EXPECT_EQ(parse_byte_size("512b"), 512u);
  EXPECT_EQ(parse_byte_size("64K"), 64u * 1024);
  EXPECT_EQ(parse_byte_size("64KB"), 64u * 1024);
  EXPECT_EQ(parse_byte_size("64KiB"), 64u * 1024);
  EXPECT_EQ(parse_byte_size("64kib"), 64u * 1024);
  EXPECT_EQ(parse_byte_size("10MB"), 10u * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("10 MiB"), 10u * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_byte_size("3tb"), 3ull << 40);
  EXPECT_EQ(parse_byte_size("18446744073709551615"), UINT64_MAX);
}

TEST(ByteSizeTest, RejectsEverythingElse) {
  for (const char* bad : {"", " ", "MB", "1.5MB", "-1", "+1", "10  MB", "10 ", "10MBs", "10XB",
                          "10iB", "10 KiBB", " 10", "16777216TiB", "18446744073709551616"}) {
    EXPECT_FALSE(parse_byte_size(bad)) << bad;
  }
}

TEST(ByteSizeTest, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(format_byte_size(0), "0B");
  EXPECT_EQ(format_byte_size(100), "100B");
  EXPECT_EQ(format_byte_size(1024), "1KiB");
  EXPECT_EQ(format_byte_size(1536 * 1024), "1536KiB");
  EXPECT_EQ(format_byte_size(10 * 1024 * 1024), "10MiB");
  EXPECT_EQ(format_byte_size(1ull << 50), "1024TiB");
}

}  // namespace
}  // namespace flowweaver
