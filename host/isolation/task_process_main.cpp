// flowweaver-task: runs one call of one task type in a process of its own, for
// `isolation: process` (see process_runner.h). A plugin that crashes, aborts, exits or runs out of
// memory here ends only this process; the host reports it as a failed attempt.
//
//   flowweaver-task PLUGIN_FILE TASK_TYPE [--memory-limit BYTES] [--allow-insecure-plugins]
//
// The request comes on stdin, log lines and the result go to fd 3 (task_protocol.h). SIGTERM
// cancels the call; the host sends SIGKILL if it does not end within the grace period.
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>

#include "exec/abi_call.h"
#include "isolation/task_protocol.h"
#include "plugin/loaded_plugin.h"
#include "plugin/plugin_file_check.h"
#include "util/error.h"

namespace {

using flowweaver::AttemptOutcome;

std::mutex g_write_mutex;

void write_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_write_mutex);
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(flowweaver::kTaskProtocolFd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(2);  // the host is gone
    done += static_cast<size_t>(n);
  }
}

int finish(const AttemptOutcome& outcome) {
  write_line(flowweaver::encode_result_line(outcome));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: flowweaver-task PLUGIN_FILE TASK_TYPE [--memory-limit BYTES] "
                 "[--allow-insecure-plugins] (started by flowweaver for isolation: process)\n";
    return 2;
  }
  std::string plugin_file = argv[1], type_name = argv[2];
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--allow-insecure-plugins") {
      flowweaver::set_allow_insecure_plugins(true);
    } else if (arg == "--memory-limit" && i + 1 < argc) {
      rlim_t bytes = std::strtoull(argv[++i], nullptr, 10);
      rlimit limit{bytes, bytes};
      ::setrlimit(RLIMIT_AS, &limit);
    }
  }
  // SIGTERM is received by a thread as ordinary code, which may then cancel the call.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, nullptr);
  flowweaver::Cancellation cancellation;
  std::thread([term, &cancellation] {
    int signal = 0;
    if (sigwait(&term, &signal) == 0) cancellation.cancel();
  }).detach();

  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  flowweaver::TaskRequest request;
  try {
    request = flowweaver::decode_request(text);
  } catch (const std::exception& e) {
    return finish({AttemptOutcome::Kind::kPermanent, "", e.what()});
  }
  std::shared_ptr<const flowweaver::LoadedPlugin> plugin;
  try {
    plugin = flowweaver::load_plugin(plugin_file);
  } catch (const flowweaver::Error& e) {
    return finish({AttemptOutcome::Kind::kRetryable, "", e.what()});
  }
  const flowweaver::TaskTypeInfo* type = plugin->find_task_type(type_name);
  if (type == nullptr) {
    return finish({AttemptOutcome::Kind::kPermanent, "",
                   "plugin " + plugin_file + " has no task type '" + type_name + "'"});
  }
  flowweaver::AbiCall call;
  call.type = type;
  call.task_name = request.task_name;
  call.label = plugin->name() + "." + type_name + " (plugin " +
               std::filesystem::path(plugin_file).filename().string() + ")";
  call.plugin = plugin->name();
  call.task_type = plugin->name() + "." + type_name;
  call.attempt = request.attempt;
  call.params_json = request.params_json;
  call.cancellation = &cancellation;
  call.input = [&](const char* upstream) -> const std::string* {
    auto it = request.inputs.find(upstream);
    return it == request.inputs.end() ? nullptr : &it->second;
  };
  call.log = [](fw_log_level level, std::string_view message) {
    write_line(flowweaver::encode_log_line(level, std::string(message)));
  };
  finish(flowweaver::call_task_type(call));
  // Skip static destructors and the library's unloading: the result is out, nothing else counts.
  std::_Exit(0);
}
