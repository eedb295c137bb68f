#include "state/postgres_writer_lock.h"

#include <unistd.h>

#include <cstdlib>

namespace flowweaver {
namespace {

// The first key of FlowWeaver's two-key advisory locks ("FlWe"), the second a hash of the
// lock name: other applications' locks in the same database keep out of the way.
constexpr const char* kLockClass = "1181505381";

// The PID the holder's session announces in its application_name (`flowweaver pid N`).
std::optional<long> holder_pid(PgConnection& db, const std::string& name) {
  PgResult r = db.exec("finding the holder of the writer lock",
                       "SELECT a.application_name FROM pg_locks l "
                       "JOIN pg_stat_activity a ON a.pid = l.pid "
                       "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                       "AND l.database = (SELECT oid FROM pg_database "
                       "WHERE datname = current_database()) "
                       "AND l.classid::bigint = $1::bigint "
                       "AND l.objid::bigint = (hashtext($2)::bigint & 4294967295)",
                       {kLockClass, name});
  if (r.rows() == 0) return std::nullopt;
  std::string app = r.text(0, 0);
  const std::string prefix = "flowweaver pid ";
  if (app.rfind(prefix, 0) != 0) return std::nullopt;
  return std::strtol(app.c_str() + prefix.size(), nullptr, 10);
}

}  // namespace

PostgresWriterLock::PostgresWriterLock(const StateLocation& location) : db_(location.path) {
  db_.exec("naming the session", "SELECT set_config('application_name', $1, false)",
           {"flowweaver pid " + std::to_string(::getpid())});
  PgResult taken =
      db_.exec("taking the writer lock", "SELECT pg_try_advisory_lock($1::integer, hashtext($2))",
               {kLockClass, location.lock_name});
  if (taken.text(0, 0) == "t") return;
  std::optional<long> pid = holder_pid(db_, location.lock_name);
  std::string what =
      db_.describe() +
      (location.lock_name.empty() ? std::string() : " (workflow " + location.lock_name + ")");
  throw StateInUse("the state " + what + " is in use by another flowweaver process" +
                       (pid ? " (PID " + std::to_string(*pid) + ")" : std::string()) +
                       ": a run is active on it; wait for it to end, or stop that process "
                       "(SIGTERM lets it finish cleanly), then run again",
                   pid);
}

PostgresWriterLock::~PostgresWriterLock() { db_.try_exec("SELECT pg_advisory_unlock_all()", 1000); }

}  // namespace flowweaver
