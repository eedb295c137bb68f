#include "service/state_readers.h"

#include <sys/stat.h>

#include <cerrno>

#include "state/state_location.h"
#include "util/error.h"

namespace flowweaver {

std::shared_ptr<StateReaders::Reader> StateReaders::reader_for(const std::string& location) {
  std::lock_guard lock(mutex_);
  std::shared_ptr<Reader>& reader = readers_[location];
  if (!reader) reader = std::make_shared<Reader>();
  return reader;
}

void StateReaders::forget(const std::string& location) {
  std::lock_guard lock(mutex_);
  readers_.erase(location);
}

bool StateReaders::read(const std::string& location, const std::function<void(StateStore&)>& read) {
  // A file is looked at first: a deleted or restored one must not be read through an old handle.
  // A database has no such identity; a store that fails is reopened by the next read.
  bool is_file = parse_state_location(location).backend != StateBackendKind::kPostgres;
  struct stat file {};
  if (is_file && ::stat(location.c_str(), &file) != 0 && errno == ENOENT) {
    forget(location);
    return false;
  }
  std::shared_ptr<Reader> reader = reader_for(location);
  std::lock_guard lock(reader->mutex);
  if (!reader->store || reader->device != file.st_dev || reader->inode != file.st_ino) {
    reader->store.reset();
    try {
      reader->store = open_existing_state_store(location);
    } catch (const Error& e) {
      if (is_file || e.kind() != ErrorKind::kNotFound) throw;
      return false;  // the database has no FlowWeaver tables yet: no workflow ran there
    }
    reader->device = file.st_dev;
    reader->inode = file.st_ino;
  }
  try {
    read(*reader->store);
  } catch (...) {
    reader->store.reset();
    throw;
  }
  return true;
}

}  // namespace flowweaver
