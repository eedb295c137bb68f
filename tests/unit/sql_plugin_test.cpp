// The sql plugin's pure parts: database URLs, `with:` checks, error positions and value
// conversions. Runs against real databases are in tests/integration/sql_plugin_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "database_url.h"
#include "postgres_values.h"
#include "row_values.h"
#include "sql_params.h"
#include "statement_position.h"
#include "text_encoding.h"

namespace flowweaver {
namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const PermanentError& e) {
    return e.what();
  }
  return "<no PermanentError>";
}

TEST(DatabaseUrlTest, SqliteUrlsNameAbsoluteRelativeAndInMemoryDatabases) {
  auto absolute = std::get<SqliteUrl>(parse_database_url("sqlite:///var/lib/app.db"));
  EXPECT_EQ(absolute.path, "/var/lib/app.db");
  EXPECT_EQ(absolute.mode, SqliteMode::kReadWrite);
  auto relative = std::get<SqliteUrl>(parse_database_url("sqlite://data/app.db?mode=rwc"));
  EXPECT_EQ(relative.path, "data/app.db");
  EXPECT_EQ(relative.mode, SqliteMode::kReadWriteCreate);
  EXPECT_EQ(std::get<SqliteUrl>(parse_database_url("sqlite://:memory:")).path, ":memory:");
  EXPECT_EQ(std::get<SqliteUrl>(parse_database_url("sqlite:///x.db?mode=ro")).mode,
            SqliteMode::kReadOnly);
  auto both = std::get<SqliteUrl>(parse_database_url("sqlite://x.db?busy_timeout=50&mode=rwc"));
  EXPECT_EQ(both.busy_timeout_ms, 50);
  EXPECT_EQ(both.mode, SqliteMode::kReadWriteCreate);
  EXPECT_EQ(std::get<SqliteUrl>(parse_database_url("sqlite://x.db")).busy_timeout_ms, 5000);
}

TEST(DatabaseUrlTest, BadUrlsAreRefusedWithTheFormsThatWork) {
  EXPECT_NE(error_of([] { parse_database_url("sqlite://"); }).find("names no file"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_database_url("sqlite:///x.db?cache=shared");
            }).find("unknown sqlite option 'cache=shared'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_database_url("sqlite:///x.db?mode=rwx");
            }).find("mode must be ro, rw or rwc, not 'rwx'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_database_url("sqlite:///x.db?busy_timeout=1s");
            }).find("busy_timeout must be milliseconds (0 or more), not '1s'"),
            std::string::npos);
  std::string mysql = error_of([] { parse_database_url("mysql://root:hunter2@db/x"); });
  EXPECT_NE(mysql.find("scheme 'mysql'"), std::string::npos) << mysql;
  EXPECT_NE(mysql.find("postgresql://"), std::string::npos) << mysql;
  EXPECT_EQ(mysql.find("hunter2"), std::string::npos) << mysql;
}

TEST(DatabaseUrlTest, PostgresUrlsKeepThePasswordOutOfTheirDisplayForm) {
  auto url = std::get<PostgresUrl>(parse_database_url("postgresql://app:s3cret@db:5432/x?a=b"));
  EXPECT_EQ(url.uri, "postgresql://app:s3cret@db:5432/x?a=b");
  EXPECT_EQ(url.display, "postgresql://app:***@db:5432/x?a=b");
  EXPECT_EQ(std::get<PostgresUrl>(parse_database_url("postgres://app@db/x")).display,
            "postgres://app@db/x");
}

Json exec_with(Json sql, Json params = Json::array()) {
  return {{"database", "sqlite://:memory:"}, {"sql", sql}, {"params", params}};
}

TEST(SqlParamsTest, ExecTakesOneStatementOrAListOfThem) {
  ExecParams one = parse_exec_params(exec_with("DELETE FROM t WHERE id = ?", {7}));
  ASSERT_EQ(one.statements.size(), 1u);
  EXPECT_EQ(one.statements[0].params, Json({7}));
  ExecParams list = parse_exec_params(
      exec_with(Json::parse(R"y(["CREATE TABLE t (x)", {"sql": "INSERT INTO t VALUES (?)",
      "params": [1]}])y")));
  ASSERT_EQ(list.statements.size(), 2u);
  EXPECT_EQ(list.statements[1].sql, "INSERT INTO t VALUES (?)");
  EXPECT_EQ(list.statements[1].params, Json({1}));
}

TEST(SqlParamsTest, BadShapesNameTheParameterAndTheFix) {
  EXPECT_NE(error_of([] {
              parse_exec_params(exec_with({"SELECT 1"}, {1}));
            }).find("give each statement its own"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_exec_params(exec_with(Json::array())); }).find("empty list"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_exec_params(exec_with(Json::parse(R"y([{"sql": "x", "parms": []}])y")));
            }).find("'sql[0]' has an unknown key 'parms'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_exec_params(exec_with("  \n")); }).find("'sql' is empty"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_exec_params(exec_with("SELECT ?", Json({{"a", 1}})));
            }).find("'params' must be a list"),
            std::string::npos);
  Json query = {{"database", "sqlite://:memory:"},
                {"sql", "SELECT 1"},
                {"params", Json::array()},
                {"max_rows", -1}};
  EXPECT_NE(error_of([&] { parse_query_params(query); }).find("'max_rows' must be a row count"),
            std::string::npos);
}

TEST(StatementPositionTest, CountsLinesAndCharactersNotBytes) {
  EXPECT_EQ(position_at_byte("SELECT x", 7), "line 1, column 8");
  EXPECT_EQ(position_at_byte("SELECT\n  x", 9), "line 2, column 3");
  // "é" is two bytes, one character.
  EXPECT_EQ(position_at_byte("SELECT 'é', x", 13), "line 1, column 13");
  EXPECT_EQ(position_at_character("SELECT 'é',\n x", 14), "line 2, column 2");
  EXPECT_EQ(position_at_byte("abc", 99), "line 1, column 4");
}

TEST(TextEncodingTest, Base64AndUtf8Repair) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode(std::string("\0\xff", 2)), "AP8=");
  EXPECT_EQ(valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(valid_utf8("a\xff"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(valid_utf8("\xc3"), "\xEF\xBF\xBD");
  EXPECT_EQ(valid_utf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
}

TEST(RowValuesTest, NonFiniteFloatsBecomeTextAndDuplicateColumnsAreRefused) {
  EXPECT_EQ(float_value(1.5), Json(1.5));
  EXPECT_EQ(float_value(std::numeric_limits<double>::infinity()), Json("Infinity"));
  EXPECT_EQ(float_value(std::nan("")), Json("NaN"));
  EXPECT_NE(error_of([] {
              check_distinct_columns({"id", "name", "id"});
            }).find("two columns named 'id'"),
            std::string::npos);
}

TEST(PostgresValuesTest, TextFormValuesBecomeJsonByType) {
  EXPECT_EQ(postgres_value(20, "-9223372036854775808"), Json(INT64_MIN));
  EXPECT_EQ(postgres_value(23, "42"), Json(42));
  EXPECT_EQ(postgres_value(16, "t"), Json(true));
  EXPECT_EQ(postgres_value(16, "f"), Json(false));
  EXPECT_EQ(postgres_value(701, "2.5"), Json(2.5));
  EXPECT_EQ(postgres_value(701, "-Infinity"), Json("-Infinity"));
  EXPECT_EQ(postgres_value(1700, "12345678901234567890.123"), Json("12345678901234567890.123"));
  EXPECT_EQ(postgres_value(3802, R"y({"a": [1, null]})y"), Json::parse(R"y({"a": [1, null]})y"));
  EXPECT_EQ(postgres_value(17, "\\x00ff41"), Json("AP9B"));
  EXPECT_EQ(postgres_value(25, "text"), Json("text"));
  EXPECT_EQ(postgres_value(1082, "2026-12-05"), Json("2026-12-05"));
}

TEST(PostgresValuesTest, ParamsAreSentAsTheirText) {
  EXPECT_EQ(postgres_param_text("ada", 0), "ada");
  EXPECT_EQ(postgres_param_text(42, 0), "42");
  EXPECT_EQ(postgres_param_text(true, 0), "true");
  EXPECT_EQ(postgres_param_text(Json::parse(R"y({"a":1})y"), 0), R"y({"a":1})y");
  EXPECT_NE(error_of([] { postgres_param_text(std::string("a\0b", 3), 2); }).find("params[2]"),
            std::string::npos);
}

}  // namespace
}  // namespace flowweaver
