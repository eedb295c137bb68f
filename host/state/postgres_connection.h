// One libpq connection to a PostgreSQL state (postgres_store.h): parameters always bound, never
// spliced into SQL, and every failure an Error::State naming the URL without its password.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace flowweaver {

// `url` with any password taken out (`user:secret@` and `?password=…`), for messages; anything
// without `://` (a file path) as it is.
std::string url_without_password(const std::string& url);

// `url` with `password` added as its `password=` query parameter, percent-encoded (libpq decodes
// it): for a password kept apart from the URL, in a file or a secret. Throws
// Error::InvalidArgument when the URL holds a password already.
std::string with_password_parameter(const std::string& url, const std::string& password);

// A query's result: rows of text values, NULL as nothing.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  // The text of a value; empty for NULL.
  std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
  std::optional<std::string> optional_text(int row, int column) const;
  long long number(int row, int column) const;
  PGresult* raw() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// A bound parameter: text, or NULL when nothing.
using PgParam = std::optional<std::string>;

class PgConnection {
 public:
  // Connects to `url` (libpq reads PGPASSFILE and the other PG* variables itself); throws
  // Error::State naming the URL without its password and the server's message.
  explicit PgConnection(const std::string& url);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with `params` bound as $1, $2, …; throws Error::State saying what was
  // being done (`doing`) and the server's message.
  PgResult exec(const char* doing, const std::string& sql, const std::vector<PgParam>& params = {});
  // Runs `sql` once for each parameter list of `rows`, all sent before any answer is read (libpq's
  // pipeline mode): one round trip for the lot instead of one each. Throws as exec() does, for
  // the first statement that failed; the caller's transaction then rolls back every one.
  void exec_each(const char* doing, const std::string& sql,
                 const std::vector<std::vector<PgParam>>& rows);
  // Runs several statements of fixed text (a schema: nothing bound, nothing spliced in).
  void exec_script(const char* doing, const char* sql);
  // Runs `body` between BEGIN and COMMIT; rolls back and rethrows when it throws.
  template <class F>
  void in_transaction(F&& body) {
    exec("beginning a transaction", "BEGIN");
    try {
      body();
      exec("committing", "COMMIT");
    } catch (...) {
      rollback();
      throw;
    }
  }

  // Runs `sql` (fixed text, no result wanted) if the server answers within `timeout_ms`; false
  // when it did not, or failed. Never throws: for clean-ups that must not hang on a dead network.
  bool try_exec(const char* sql, int timeout_ms) noexcept;

  // The URL without its password, for messages.
  const std::string& describe() const { return described_; }
  // libpq's connection, for what this class does not wrap (LISTEN's notifications).
  PGconn* raw() { return conn_.get(); }

 private:
  void rollback() noexcept;

  std::string described_;
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace flowweaver
