// The writer lock of a PostgreSQL state (writer_lock.h): a session advisory lock on a hash of the
// location's lock name (the workflow; empty for the whole database), held by a connection of its
// own. The server drops it when that connection ends, however its process ends.
#pragma once

#include <string>

#include "state/postgres_connection.h"
#include "state/writer_lock.h"

namespace flowweaver {

class PostgresWriterLock : public WriterLock {
 public:
  // Throws StateInUse naming the holder's PID when another session holds the lock.
  explicit PostgresWriterLock(const StateLocation& location);
  // Unlocks before disconnecting: the server drops a closed session's locks only once its
  // backend has exited, a moment after the client is gone, and the next writer of this process
  // must not find the lock still held. Waits at most a second for the server.
  ~PostgresWriterLock() override;

 private:
  PgConnection db_;  // the lock lives as long as this session
};

}  // namespace flowweaver
