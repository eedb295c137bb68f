#include "service/state_readers.h"

#include <sys/stat.h>

#include <cerrno>

namespace flowweaver {

std::shared_ptr<StateReaders::Reader> StateReaders::reader_for(const std::filesystem::path& path) {
  std::lock_guard lock(mutex_);
  std::shared_ptr<Reader>& reader = readers_[path];
  if (!reader) reader = std::make_shared<Reader>();
  return reader;
}

bool StateReaders::read(const std::filesystem::path& path,
                        const std::function<void(StateStore&)>& read) {
  struct stat file {};
  if (::stat(path.c_str(), &file) != 0 && errno == ENOENT) {
    std::lock_guard lock(mutex_);
    readers_.erase(path);
    return false;
  }
  std::shared_ptr<Reader> reader = reader_for(path);
  std::lock_guard lock(reader->mutex);
  if (!reader->store || reader->device != file.st_dev || reader->inode != file.st_ino) {
    reader->store.reset();
    reader->store = open_existing_state_store(path.string());
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
