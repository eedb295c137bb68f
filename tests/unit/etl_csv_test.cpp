// The etl plugin's building blocks, tested without the host: the CSV reader, the record checks
// and the warehouse (on an in-memory database). Built into etl_unit_tests by plugins/etl.
#include <gtest/gtest.h>

#include "csv_reader.h"
#include "record_validation.h"
#include "warehouse.h"

namespace flowweaver::etl {
namespace {

using Json = nlohmann::json;
using Fields = std::vector<std::string>;

std::string parse_error(std::string_view text) {
  try {
    parse_csv(text, "in.csv");
  } catch (const CsvError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(EtlCsvReaderTest, ReadsHeaderAndRowsWithLineNumbers) {
  CsvTable t = parse_csv("id,name\n1,Ann\n\n2,Bo\n", "in.csv");
  EXPECT_EQ(t.header, (Fields{"id", "name"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"1", "Ann"}));
  EXPECT_EQ(t.rows[0].line, 2u);
  EXPECT_EQ(t.rows[1].fields, (Fields{"2", "Bo"}));
  EXPECT_EQ(t.rows[1].line, 4u);  // the blank line is skipped but counted
}

TEST(EtlCsvReaderTest, HandlesQuotesEscapedQuotesAndEmbeddedBreaks) {
  CsvTable t = parse_csv("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n", "in.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"x, y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(t.rows[1].fields, (Fields{"last", "", ""}));
  EXPECT_EQ(t.rows[1].line, 4u);
}

TEST(EtlCsvReaderTest, AcceptsCrlfBomAndAMissingFinalBreak) {
  CsvTable t = parse_csv("\xEF\xBB\xBFid,name\r\n1,\"Ann\"\r\n2,Bo", "in.csv");
  EXPECT_EQ(t.header, (Fields{"id", "name"}));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].fields, (Fields{"1", "Ann"}));
  EXPECT_EQ(t.rows[1].fields, (Fields{"2", "Bo"}));
}

TEST(EtlCsvReaderTest, ErrorsNameTheSourceAndLine) {
  EXPECT_EQ(parse_error(""), "in.csv: the file is empty; expected a header row");
  EXPECT_EQ(parse_error("a,b\n1,2\n3\n"), "in.csv:3: expected 2 fields as in the header, found 1");
  EXPECT_EQ(parse_error("a,a\n"), "in.csv:1: column 'a' appears twice in the header");
  EXPECT_EQ(parse_error("a,,c\n"), "in.csv:1: header column 2 has no name");
  EXPECT_EQ(parse_error("a\n\"open\n\n"), "in.csv:2: a quoted field is never closed");
  EXPECT_NE(parse_error("a\nx\"y\n").find("in.csv:2: a quote inside an unquoted field"),
            std::string::npos);
  EXPECT_NE(parse_error("a\n\"x\"y\n").find("in.csv:2: unexpected 'y' after a closing quote"),
            std::string::npos);
}

TEST(EtlCsvReaderTest, MissingFileErrorNamesThePath) {
  try {
    read_csv_file("/nonexistent/customers.csv");
    FAIL() << "expected CsvError";
  } catch (const CsvError& e) {
    EXPECT_STREQ(e.what(), "cannot open '/nonexistent/customers.csv': No such file or directory");
  }
}

TEST(EtlEmailCheckTest, AcceptsOrdinaryAddresses) {
  for (const char* ok : {"a@b.co", "first.last@example.com", "noah+news@mail.example.co.uk",
                         "x_y-z@sub-domain.example.org"}) {
    EXPECT_TRUE(is_plausible_email(ok)) << ok;
  }
}

TEST(EtlEmailCheckTest, RejectsMalformedAddresses) {
  for (const char* bad : {"", "plain", "@example.com", "a@", "a@example", "a@@example.com",
                          "a@b@example.com", "a b@example.com", "a@example .com", "a@.example.com",
                          "a@example.com.", "a@exa..mple.com", ".a@example.com", "a..b@example.com",
                          "a@-example.com", "a@exa_mple.com", "a,b@example.com"}) {
    EXPECT_FALSE(is_plausible_email(bad)) << bad;
  }
}

TEST(EtlRecordProblemsTest, ReportsMissingFieldsAndMalformedEmail) {
  ValidationRules rules{{"id", "name", "email"}, "email"};
  EXPECT_TRUE(
      record_problems({{"id", "1"}, {"name", "Ann"}, {"email", "ann@example.com"}}, rules).empty());
  EXPECT_EQ(record_problems({{"id", "1"}, {"name", "  "}, {"email", ""}}, rules),
            (Fields{"missing required field 'name'", "missing required field 'email'"}));
  EXPECT_EQ(record_problems({{"id", "1"}, {"name", "Ann"}, {"email", "ann@"}}, rules),
            (Fields{"malformed email 'ann@'"}));
  EXPECT_EQ(record_problems(Json::array(), rules),
            (Fields{"the record is not an object but array"}));
}

TEST(EtlRecordProblemsTest, EmailIsOptionalUnlessRequired) {
  ValidationRules rules{{"id"}, "email"};
  EXPECT_TRUE(record_problems({{"id", "1"}}, rules).empty());
  EXPECT_EQ(record_problems({{"id", "1"}, {"email", 42}}, rules), (Fields{"malformed email '42'"}));
}

class EtlWarehouseTest : public ::testing::Test {
 protected:
  std::string error_of(const std::string& table, const std::string& key, const Json& records) {
    try {
      warehouse_.upsert(table, key, records);
    } catch (const WarehouseError& e) {
      EXPECT_FALSE(e.retryable());
      return e.what();
    }
    return "(no error)";
  }

  Warehouse warehouse_{":memory:"};
};

TEST_F(EtlWarehouseTest, UpsertingTwiceKeepsOneRowPerKey) {
  Json records = {{{"id", "1"}, {"name", "Ann"}}, {{"id", "2"}, {"name", "Bo"}}};
  EXPECT_EQ(warehouse_.upsert("customers", "id", records), 2u);
  records[0]["name"] = "Anna";
  EXPECT_EQ(warehouse_.upsert("customers", "id", records), 2u);
  EXPECT_EQ(warehouse_.count_rows("customers"), 2);
}

TEST_F(EtlWarehouseTest, AddsColumnsTheTableLacks) {
  warehouse_.upsert("t", "id", Json::array({{{"id", "1"}}}));
  warehouse_.upsert("t", "id", Json::array({{{"id", "2"}, {"extra", nullptr}}}));
  EXPECT_EQ(warehouse_.count_rows("t"), 2);
  EXPECT_EQ(warehouse_.count_rows("absent"), 0);
}

TEST_F(EtlWarehouseTest, RefusesNamesThatAreNotIdentifiers) {
  EXPECT_NE(error_of("t; DROP TABLE x", "id", Json::array({{{"id", "1"}}}))
                .find("cannot be a table name"),
            std::string::npos);
  EXPECT_NE(
      error_of("t", "id", Json::array({{{"id", "1"}, {"a\" TEXT); --", "v"}}})).find("column name"),
      std::string::npos);
}

TEST_F(EtlWarehouseTest, ABadRecordWritesNothing) {
  EXPECT_EQ(error_of("t", "id", {{{"id", "1"}}, {{"name", "no key"}}}),
            "warehouse ':memory:': record 2 has no value for the key column 'id'");
  EXPECT_EQ(warehouse_.count_rows("t"), 0);
}

}  // namespace
}  // namespace flowweaver::etl
