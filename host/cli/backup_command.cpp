// backup: a consistent copy of a state file, taken while runs may be writing to it. The copy is
// written beside DEST under a temporary name, checked, synced and only then renamed to DEST, so
// DEST is always either what it was before or a complete, checked backup. The state file itself
// is only read.
#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "state/sqlite_reading.h"
#include "util/error.h"
#include "util/printable.h"

namespace flowweaver {
namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 3> kTables = {"runs", "tasks", "attempts"};

std::string errno_text() { return std::strerror(errno); }

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    std::string why = errno_text();
    if (fd >= 0) ::close(fd);
    throw Error::IO("cannot sync " + path + " to disk: " + why);
  }
  ::close(fd);
}

std::string directory_of(const std::string& path) {
  std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// The backup being written beside DEST. Unless commit() renamed it into place, it is removed
// with the side files SQLite may have made for it.
class PendingFile {
 public:
  PendingFile(std::string dest, mode_t mode)
      : dest_(std::move(dest)), path_(dest_ + ".tmp-" + std::to_string(::getpid())) {
    remove_all();  // a leftover of an earlier backup that died, by a process of the same id
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd_ < 0) throw Error::IO("cannot create " + path_ + ": " + errno_text());
  }
  ~PendingFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) remove_all();
  }
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  const std::string& path() const { return path_; }

  void write(const std::string& bytes) {
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error::IO("cannot write " + path_ + ": " + errno_text());
      done += static_cast<size_t>(n);
    }
  }

  // Syncs the file, renames it to DEST and syncs the directory, so the backup survives a crash.
  void commit() {
    ::close(fd_);
    fd_ = -1;
    fsync_path(path_, O_RDONLY);
    if (std::rename(path_.c_str(), dest_.c_str()) != 0) {
      throw Error::IO("cannot rename " + path_ + " to " + dest_ + ": " + errno_text());
    }
    committed_ = true;
    fsync_path(directory_of(dest_), O_RDONLY | O_DIRECTORY);
  }

 private:
  void remove_all() {
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(path_ + suffix, ec);
  }

  std::string dest_, path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Refuses a DEST that cannot hold a backup, before anything is written.
void check_destination(const std::string& state, const std::string& dest) {
  std::error_code ec, ec2;
  if (fs::is_directory(dest, ec)) {
    throw Error::InvalidArgument(dest + " is a directory; give the backup's file name, e.g. " +
                                 (fs::path(dest) / fs::path(state).filename()).string() +
                                 ".YYYYMMDD");
  }
  bool same = fs::exists(dest, ec) && fs::equivalent(state, dest, ec);
  fs::path canonical_state = fs::weakly_canonical(state, ec);
  fs::path canonical_dest = fs::weakly_canonical(dest, ec2);
  if (same || (!ec && !ec2 && canonical_state == canonical_dest)) {
    throw Error::InvalidArgument(dest + " is the state file itself; give another path");
  }
  std::string dir = directory_of(dest);
  if (!fs::exists(dir, ec)) {
    throw Error::IO("the backup's directory " + dir + " does not exist; create it first");
  }
  if (!fs::is_directory(dir, ec))
    throw Error::IO("the backup's directory " + dir + " is not a directory");
  if (::access(dir.c_str(), W_OK) != 0) {
    throw Error::IO("cannot write in the backup's directory " + dir + ": " + errno_text());
  }
  // A WAL file beside DEST would be replayed into the new backup the next time it is opened.
  if (fs::exists(dest + "-wal", ec)) {
    throw Error::IO(dest + "-wal exists: " + dest +
                    " is open elsewhere or was not closed cleanly, and replacing it now could "
                    "corrupt the backup; remove that file or choose another name");
  }
}

std::unique_ptr<SQLite::Database> open_sqlite_state(const std::string& state) {
  try {
    std::unique_ptr<SQLite::Database> db = open_sqlite_for_reading(state);
    for (const char* table : kTables) {
      if (!db->tableExists(table)) {
        throw Error::State(state + " is not a FlowWeaver state (it has no table " + table +
                           "); nothing was copied");
      }
    }
    return db;
  } catch (const SQLite::Exception& e) {
    throw Error::State(state + " is not a FlowWeaver state database (" + e.what() +
                       "); nothing was copied");
  }
}

// Copies every page in one step, so the copy is one snapshot of the source even while another
// process commits to it (WAL lets that writer go on meanwhile). Returns the number of runs.
int64_t backup_sqlite(SQLite::Database& source, const std::string& state, const std::string& to) {
  try {
    SQLite::Database copy(to, SQLite::OPEN_READWRITE);
    {
      SQLite::Backup backup(copy, source);
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (backup.executeStep(-1) != SQLITE_DONE) {  // busy or locked: wait and try again
        if (std::chrono::steady_clock::now() > deadline) {
          throw Error::State(state + " stayed locked for 10 s; nothing was copied");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    std::string integrity = copy.execAndGet("PRAGMA integrity_check").getString();
    if (integrity != "ok") {
      throw Error::State("the copy of " + state + " failed its integrity check (" + integrity +
                         "), so it was not kept; run `flowweaver check --state " + state + "`");
    }
    return copy.execAndGet("SELECT count(*) FROM runs").getInt64();
  } catch (const SQLite::Exception& e) {
    throw Error::IO("copying " + state + " to " + to + " failed: " + e.what());
  }
}

// The JSON state file's bytes, once they are known to be a FlowWeaver state. The JSON store
// replaces the file by rename, so one read sees one whole version of it.
std::string read_json_state(const std::string& state, int64_t* num_runs) {
  std::ifstream in(state, std::ios::binary);
  if (!in) throw Error::State("cannot read " + state + ": " + errno_text());
  std::ostringstream text;
  text << in.rdbuf();
  try {
    nlohmann::json doc = nlohmann::json::parse(text.str());
    if (doc.is_object() && doc.contains("runs") && doc["runs"].is_array()) {
      *num_runs = static_cast<int64_t>(doc["runs"].size());
      return text.str();
    }
  } catch (const nlohmann::json::exception&) {
  }
  throw Error::State(state + " is not a FlowWeaver JSON state file; nothing was copied");
}

void require_state_file(const std::string& state) {
  std::error_code ec;
  if (!fs::exists(state, ec)) throw Error::NotFound("no state at " + state);
  if (!fs::is_regular_file(state, ec)) {
    throw Error::State(state + " is not a regular file; give a state file");
  }
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0600;
  return st.st_mode & 0666;
}

}  // namespace

int backup_command(const std::string& state_path, const std::string& dest) {
  try {
    require_state_file(state_path);
    int64_t num_runs = 0;
    std::string how;
    if (fs::path(state_path).extension() == ".json") {
      std::string bytes = read_json_state(state_path, &num_runs);
      check_destination(state_path, dest);
      PendingFile pending(dest, mode_of(state_path));
      pending.write(bytes);
      pending.commit();
      how = "JSON copy";
    } else {
      std::unique_ptr<SQLite::Database> source = open_sqlite_state(state_path);
      check_destination(state_path, dest);
      PendingFile pending(dest, mode_of(state_path));
      num_runs = backup_sqlite(*source, state_path, pending.path());
      pending.commit();
      how = "SQLite online backup, integrity ok";
    }
    std::error_code ec;
    std::cout << "Backed up " << state_path << " to " << dest << ": " << num_runs << " run(s), "
              << fs::file_size(dest, ec) << " bytes (" << how << ")\n";
    return kExitOk;
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "\n";
    return e.kind() == ErrorKind::kInvalidArgument ? kExitInvalid : kExitRuntime;
  }
}

void add_backup_command(CommandRegistry& commands) {
  struct Arguments {
    std::string state, dest;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* cmd =
      commands.add("backup", "Copy a state file consistently, even while a run writes to it",
                   [args] { return backup_command(args->state, args->dest); });
  add_state_option(cmd, &args->state)->required();
  cmd->add_option("DEST", args->dest, "The backup file to write (replaced atomically)")->required();
}

}  // namespace flowweaver
