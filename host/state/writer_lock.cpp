#include "state/writer_lock.h"

#include "state/postgres_writer_lock.h"
#include "state/state_lock.h"

namespace flowweaver {

std::unique_ptr<WriterLock> acquire_writer_lock(const StateLocation& location) {
  switch (location.backend) {
    case StateBackendKind::kSqlite:
    case StateBackendKind::kJson:
      return std::make_unique<StateLock>(location.path);
    case StateBackendKind::kPostgres:
      return std::make_unique<PostgresWriterLock>(location);
  }
  throw Error::State("no writer lock for the state at " + location.path);  // unreachable
}

}  // namespace flowweaver
