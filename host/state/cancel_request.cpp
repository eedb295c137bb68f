#include "state/cancel_request.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "state/state_location.h"
#include "util/error.h"

namespace flowweaver {
namespace {

std::string request_path(const std::string& state_path) {
  return state_side_file(state_path, ".cancel");
}

}  // namespace

void write_cancel_request(const std::string& state_path, const std::string& run_id) {
  std::string path = request_path(state_path);
  std::string staging = path + ".new-" + std::to_string(::getpid());
  {
    std::ofstream out(staging, std::ios::trunc);
    out << run_id << "\n";
    if (!out.flush()) {
      ::unlink(staging.c_str());
      throw Error::State("cannot write the cancel request " + staging + ": " +
                         std::strerror(errno));
    }
  }
  if (std::rename(staging.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(staging.c_str());
    throw Error::State("cannot write the cancel request " + path + ": " + std::strerror(error));
  }
}

bool take_cancel_request(const std::string& state_path, const std::string& run_id) {
  std::string path = request_path(state_path);
  std::ifstream in(path);
  std::string requested;
  if (!in || !std::getline(in, requested) || requested != run_id) return false;
  ::unlink(path.c_str());
  return true;
}

bool cancel_request_pending(const std::string& state_path) {
  return ::access(request_path(state_path).c_str(), F_OK) == 0;
}

void withdraw_cancel_request(const std::string& state_path) {
  ::unlink(request_path(state_path).c_str());
}

}  // namespace flowweaver
