#include <type_traits>

#include "postgres_connection.h"
#include "sql_connection.h"
#include "sqlite_connection.h"

namespace flowweaver {

std::unique_ptr<SqlConnection> connect(const DatabaseUrl& url, TaskHooks hooks) {
  return std::visit(
      [&](const auto& target) -> std::unique_ptr<SqlConnection> {
        if constexpr (std::is_same_v<std::decay_t<decltype(target)>, SqliteUrl>) {
          return connect_sqlite(target, std::move(hooks.cancelled));
        } else {
          return connect_postgres(target, std::move(hooks));
        }
      },
      url);
}

}  // namespace flowweaver
