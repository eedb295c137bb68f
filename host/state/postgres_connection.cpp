#include "state/postgres_connection.h"

#include <poll.h>

#include <cctype>
#include <chrono>
#include <cstdlib>

#include "util/error.h"

namespace flowweaver {
namespace {

// libpq's messages end with a newline and may span lines; one line reads better in ours.
std::string one_line(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string line;
  for (char c : text) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !line.empty() && line.back() == ' ') continue;
    line += c;
  }
  return line.empty() ? "no message from libpq" : line;
}

// Drops `password=…` from the query part of a URL.
std::string without_password_parameter(std::string url) {
  size_t query = url.find('?');
  if (query == std::string::npos) return url;
  size_t at = query + 1;
  while (at < url.size()) {
    size_t end = url.find('&', at);
    if (end == std::string::npos) end = url.size();
    if (url.compare(at, 9, "password=") == 0) {
      size_t erase_from = at, erase_to = end < url.size() ? end + 1 : end;
      if (erase_to == url.size() && erase_from > query + 1) --erase_from;  // the '&' before it
      url.erase(erase_from, erase_to - erase_from);
      continue;
    }
    at = end + 1;
  }
  if (url.back() == '?') url.pop_back();
  return url;
}

}  // namespace

std::string url_without_password(const std::string& url) {
  std::string out = url;
  size_t authority = out.find("://");
  if (authority == std::string::npos) return url;  // a file path: nothing to take out
  {
    authority += 3;
    size_t end = out.find_first_of("/?#", authority);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= authority) {
      size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  return without_password_parameter(out);
}

std::string with_password_parameter(const std::string& url, const std::string& password) {
  if (url_without_password(url) != url) {
    throw Error::InvalidArgument("the URL " + url_without_password(url) +
                                 " holds a password already: give it in one place only");
  }
  static const char* kHex = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : password) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "password=" + encoded;
}

std::optional<std::string> PgResult::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

long long PgResult::number(int row, int column) const {
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

PgConnection::PgConnection(const std::string& url)
    : described_(url_without_password(url)), conn_(nullptr, &PQfinish) {
  // The URL's own connect_timeout, given later, wins over this default: an unreachable server
  // is reported instead of waited for forever.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "flowweaver", url.c_str(), nullptr};
  conn_.reset(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (!conn_) throw Error::State("state database " + described_ + ": out of memory connecting");
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    throw Error::State("cannot connect to the state database " + described_ + ": " +
                       one_line(PQerrorMessage(conn_.get())) +
                       " (check the URL, that the server runs, and the password in PGPASSFILE "
                       "or ~/.pgpass)");
  }
  PQsetNoticeProcessor(
      conn_.get(), [](void*, const char*) {}, nullptr);  // no stderr chatter
}

PgResult PgConnection::exec(const char* doing, const std::string& sql,
                            const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
  ExecStatusType status = PQresultStatus(result.raw());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw Error::State("state database " + described_ + ": " + doing +
                       " failed: " + one_line(PQerrorMessage(conn_.get())));
  }
  return result;
}

void PgConnection::exec_each(const char* doing, const std::string& sql,
                             const std::vector<std::vector<PgParam>>& rows) {
  if (rows.empty()) return;
  if (rows.size() == 1) {
    exec(doing, sql, rows.front());
    return;
  }
  PGconn* conn = conn_.get();
  auto failed = [&](const std::string& why) {
    return Error::State("state database " + described_ + ": " + doing + " failed: " + why);
  };
  if (PQenterPipelineMode(conn) != 1) throw failed(one_line(PQerrorMessage(conn)));
  std::string error;
  std::vector<const char*> values;
  for (const std::vector<PgParam>& params : rows) {
    values.clear();
    for (const PgParam& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0) != 1) {
      error = one_line(PQerrorMessage(conn));
      break;
    }
  }
  if (PQpipelineSync(conn) != 1 && error.empty()) error = one_line(PQerrorMessage(conn));
  // Every answer up to the sync is read, whatever failed: the connection is usable again after.
  for (size_t empty = 0;;) {
    PGresult* result = PQgetResult(conn);
    if (result == nullptr) {  // the end of one statement's results, or of a broken connection
      bool lost = PQstatus(conn) == CONNECTION_BAD || ++empty > rows.size() + 1;
      if (lost && error.empty())
        error = "the connection was lost: " + one_line(PQerrorMessage(conn));
      if (lost) break;
      continue;
    }
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_FATAL_ERROR && error.empty())
      error = one_line(PQresultErrorMessage(result));
    PQclear(result);
    if (status == PGRES_PIPELINE_SYNC) break;
  }
  PQexitPipelineMode(conn);
  if (!error.empty()) throw failed(error);
}

void PgConnection::exec_script(const char* doing, const char* sql) {
  PgResult result(PQexec(conn_.get(), sql));
  if (PQresultStatus(result.raw()) != PGRES_COMMAND_OK) {
    throw Error::State("state database " + described_ + ": " + doing +
                       " failed: " + one_line(PQerrorMessage(conn_.get())));
  }
}

bool PgConnection::try_exec(const char* sql, int timeout_ms) noexcept {
  PGconn* conn = conn_.get();
  if (PQstatus(conn) != CONNECTION_OK || PQsendQuery(conn, sql) != 1) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (PQisBusy(conn)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd ready{PQsocket(conn), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&ready, 1, static_cast<int>(left.count())) <= 0 ||
        PQconsumeInput(conn) != 1) {
      return false;
    }
  }
  bool ok = true;
  while (PGresult* result = PQgetResult(conn)) {
    ok = ok && PQresultStatus(result) == PGRES_TUPLES_OK;
    PQclear(result);
  }
  return ok;
}

void PgConnection::rollback() noexcept {
  PGresult* r = PQexec(conn_.get(), "ROLLBACK");  // the original error is the one to report
  PQclear(r);
}

}  // namespace flowweaver
