// The calls a fan-out task makes (exec/fan_out_items.h): names, items, batches, combinations.
#include "exec/fan_out_items.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "manifest/matrix_combinations.h"

namespace flowweaver {
namespace {

using ::testing::HasSubstr;

TaskSpec foreach_task(Json items, int batch_size = 0) {
  TaskSpec task;
  task.name = "convert";
  auto fan_out = std::make_shared<FanOut>();
  fan_out->kind = FanOut::Kind::kForEach;
  fan_out->items = std::move(items);
  fan_out->batch_size = batch_size;
  task.fan_out = fan_out;
  return task;
}

TaskSpec matrix_task(std::vector<std::pair<std::string, std::vector<Json>>> axes,
                     std::vector<Json> exclude = {}) {
  TaskSpec task;
  task.name = "test";
  auto fan_out = std::make_shared<FanOut>();
  fan_out->kind = FanOut::Kind::kMatrix;
  fan_out->axes = std::move(axes);
  fan_out->exclude = std::move(exclude);
  task.fan_out = fan_out;
  return task;
}

std::vector<std::string> names_of(const std::vector<TaskItem>& items) {
  std::vector<std::string> names;
  for (const TaskItem& item : items) names.push_back(item.name);
  return names;
}

TEST(FanOutItemsTest, ForeachMakesOneCallPerItemInOrder) {
  Json list = Json::parse(R"(["a.csv", 2, {"k": "v"}])");
  std::vector<TaskItem> items = expand_fan_out(foreach_task(list), list);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(names_of(items), (std::vector<std::string>{"convert[0]", "convert[1]", "convert[2]"}));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(items[i].index, i);
    EXPECT_EQ(items[i].value, list[i]);
    EXPECT_TRUE(items[i].matrix.is_null());
  }
}

TEST(FanOutItemsTest, ForeachUsesTheResolvedValueNotTheReference) {
  TaskSpec task = foreach_task("${tasks.list.output.lines}");
  std::vector<TaskItem> items = expand_fan_out(task, Json::parse(R"(["x", "y"])"));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].value, "y");
}

TEST(FanOutItemsTest, AnEmptyListMakesNoCalls) {
  EXPECT_TRUE(expand_fan_out(foreach_task(Json::array()), Json::array()).empty());
  EXPECT_TRUE(expand_fan_out(foreach_task(Json::array(), 10), Json::array()).empty());
}

TEST(FanOutItemsTest, BatchesHoldUpToBatchSizeItemsTheLastTheRemainder) {
  Json list = Json::parse("[1, 2, 3, 4, 5, 6, 7]");
  std::vector<TaskItem> items = expand_fan_out(foreach_task(list, 3), list);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(names_of(items), (std::vector<std::string>{"convert[0]", "convert[1]", "convert[2]"}));
  EXPECT_EQ(items[0].value, Json::parse("[1, 2, 3]"));
  EXPECT_EQ(items[1].value, Json::parse("[4, 5, 6]"));
  EXPECT_EQ(items[2].value, Json::parse("[7]"));
  EXPECT_EQ(items[2].index, 2u);
}

TEST(FanOutItemsTest, ABatchLargerThanTheListIsOneCallWithTheWholeList) {
  Json list = Json::parse(R"(["a", "b"])");
  std::vector<TaskItem> items = expand_fan_out(foreach_task(list, 100), list);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].value, list);
}

TEST(FanOutItemsTest, AValueThatIsNotAListNamesTheReferenceAndWhatItHeld) {
  TaskSpec task = foreach_task("${tasks.list.output.count}");
  try {
    expand_fan_out(task, Json(42));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "${tasks.list.output.count} is not a list: it holds 42");
  }
  Json long_object = {{"text", std::string(500, 'x')}};
  try {
    expand_fan_out(task, long_object);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    EXPECT_THAT(message, HasSubstr("it holds {\"text\":\"xxx"));
    EXPECT_LT(message.size(), 150u) << "only the start of the value is quoted";
    EXPECT_THAT(message, ::testing::EndsWith("..."));
  }
}

TEST(FanOutItemsTest, MatrixRunsEveryCombinationTheFirstAxisSlowest) {
  TaskSpec task = matrix_task({{"os", {"debian", "alpine"}}, {"version", {1, 2}}});
  std::vector<TaskItem> items = expand_fan_out(task, nullptr);
  EXPECT_EQ(names_of(items),
            (std::vector<std::string>{"test[os=debian,version=1]", "test[os=debian,version=2]",
                                      "test[os=alpine,version=1]", "test[os=alpine,version=2]"}));
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[2].matrix, Json::parse(R"({"os": "alpine", "version": 1})"));
  EXPECT_EQ(items[2].index, 2u);
  EXPECT_TRUE(items[2].value.is_null());
}

TEST(FanOutItemsTest, MatrixNamesFollowTheWrittenAxisOrderAndShowNonStringsAsJson) {
  TaskSpec task = matrix_task({{"z", {true}}, {"a", {"1", 1.5}}});
  EXPECT_EQ(names_of(expand_fan_out(task, nullptr)),
            (std::vector<std::string>{"test[z=true,a=1]", "test[z=true,a=1.5]"}));
}

TEST(FanOutItemsTest, AnExcludeEntryLeavesOutEveryCombinationItMatches) {
  TaskSpec task = matrix_task(
      {{"os", {"debian", "alpine"}}, {"version", {1, 2, 3}}},
      {Json::parse(R"({"os": "alpine"})"), Json::parse(R"({"os": "debian", "version": 2})")});
  EXPECT_EQ(names_of(expand_fan_out(task, nullptr)),
            (std::vector<std::string>{"test[os=debian,version=1]", "test[os=debian,version=3]"}));
  std::vector<TaskItem> items = expand_fan_out(task, nullptr);
  EXPECT_EQ(items[1].index, 1u) << "indexes count the combinations left";
}

TEST(FanOutItemsTest, AnExcludeNamingWhatTheMatrixLacksMatchesNothing) {
  TaskSpec task = matrix_task(
      {{"os", {"debian"}}}, {Json::parse(R"({"os": "ubuntu"})"), Json::parse(R"({"arch": "arm"})"),
                             Json::parse(R"({"os": "debian", "x": 1})")});
  EXPECT_EQ(expand_fan_out(task, nullptr).size(), 1u);
}

TEST(FanOutItemsTest, AMatrixExcludedWhollyMakesNoCalls) {
  TaskSpec task = matrix_task({{"os", {"debian"}}}, {Json::parse(R"({"os": "debian"})")});
  EXPECT_TRUE(expand_fan_out(task, nullptr).empty());
}

TEST(FanOutItemsTest, AHundredThousandItemsExpand) {
  Json list = Json::array();
  for (int i = 0; i < 100000; ++i) list.push_back("file" + std::to_string(i));
  std::vector<TaskItem> items = expand_fan_out(foreach_task(list), list);
  ASSERT_EQ(items.size(), 100000u);
  EXPECT_EQ(items.back().name, "convert[99999]");
  EXPECT_EQ(items.back().value, "file99999");
  std::vector<TaskItem> batches = expand_fan_out(foreach_task(list, 100), list);
  ASSERT_EQ(batches.size(), 1000u);
  EXPECT_EQ(batches.back().value.size(), 100u);
  EXPECT_EQ(batches.back().value.back(), "file99999");
}

TEST(MatrixCombinationsTest, ProductSizeSaturatesAboveTheCap) {
  FanOut matrix;
  matrix.kind = FanOut::Kind::kMatrix;
  std::vector<Json> ten;
  for (int i = 0; i < 10; ++i) ten.push_back(i);
  for (int a = 0; a < 4; ++a) matrix.axes.emplace_back("a" + std::to_string(a), ten);
  EXPECT_EQ(matrix_product_size(matrix), 10000u);
  for (int a = 4; a < 40; ++a) matrix.axes.emplace_back("a" + std::to_string(a), ten);
  EXPECT_EQ(matrix_product_size(matrix), kMaxMatrixCombinations + 1);
  matrix.axes.emplace_back("empty", std::vector<Json>{});
  EXPECT_EQ(matrix_product_size(matrix), 0u);
}

}  // namespace
}  // namespace flowweaver
