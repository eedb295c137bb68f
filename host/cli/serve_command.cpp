#include "cli/serve_command.h"

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli/signal_thread.h"
#include "engine.h"
#include "plugin/plugin_registry.h"
#include "run_logger.h"
#include "service/http_api.h"
#include "service/service.h"
#include "util/error.h"

namespace flowweaver {

namespace {

// The config, with the command line's overrides applied; nothing after printing why.
std::optional<ServiceConfig> effective_config(const ServeOptions& options) {
  ServiceConfig config;
  if (!options.config_file.empty()) {
    DiagnosticList diagnostics(options.config_file);
    std::optional<ServiceConfig> loaded = load_service_config(options.config_file, &diagnostics);
    if (!loaded) {
      std::cerr << diagnostics.to_string() << diagnostics.size()
                << " problem(s) in the config; the service was not started.\n";
      return std::nullopt;
    }
    config = std::move(*loaded);
  }
  if (!options.listen.empty()) {
    std::string error;
    if (!parse_listen_address(options.listen, &config.listen_host, &config.listen_port, &error)) {
      std::cerr << "error: --listen '" << options.listen << "': " << error << "\n";
      return std::nullopt;
    }
  }
  // --plugin-dir first; the config's list replaces the default search path, as documented.
  PathList dirs = options.plugin_dirs;
  if (config.plugin_dirs.empty()) {
    dirs = plugin_search_path(options.plugin_dirs);
  } else {
    dirs.insert(dirs.end(), config.plugin_dirs.begin(), config.plugin_dirs.end());
  }
  config.plugin_dirs = dirs;
  return config;
}

}  // namespace

int serve_command(const ServeOptions& options) {
  std::optional<ServiceConfig> config = effective_config(options);
  if (!config) return kExitInvalid;
  std::shared_ptr<spdlog::logger> log = make_logger("", options.log_level);
  // A service logs little, and an operator (or journald) reads it as it happens: no batching.
  log->flush_on(spdlog::level::info);

  Service* running = nullptr;  // set while the service can take signals
  std::mutex running_mutex;
  auto signals = std::make_shared<int>(0);
  handle_signals_on_thread({SIGINT, SIGTERM, SIGHUP, SIGUSR1}, [&, signals, log](int signal) {
    std::lock_guard<std::mutex> lock(running_mutex);
    if (signal == SIGUSR1) {  // `flowweaver cancel` left a request beside a state
      if (running) running->take_cancel_requests();
      return;
    }
    if (signal == SIGHUP) {
      log->info("SIGHUP: rescanning plugins and manifests");
      if (running) running->request_reload();
      return;
    }
    if (++*signals > 1) std::_Exit(128 + signal);
    log->info("{}: stopping; runs in progress get {} ms to finish (send it again to exit at once)",
              signal == SIGINT ? "SIGINT" : "SIGTERM", config->grace_period.count());
    if (running) running->request_stop();
  });

  SystemClock clock;
  SystemdNotifier notifier;
  Service service(*config, log, clock, notifier);
  HttpApi api(service, log);
  try {
    // The port first: a second service started by mistake on the same port and state must
    // fail before it resumes the runs the first one is executing.
    int port = api.bind(config->listen_host, config->listen_port);
    service.start();
    api.start();
    log->info("flowweaver {} serving {} workflow(s) on http://{}:{}", FLOWWEAVER_VERSION,
              service.served_workflows().size(), config->listen_host, port);
  } catch (const Error& e) {
    log->error("the service cannot start: {}", e.what());
    return kExitRuntime;
  }
  {
    std::lock_guard<std::mutex> lock(running_mutex);
    running = &service;
    if (*signals > 0) service.request_stop();  // a signal that came during start-up
  }
  notifier.ready();
  service.wait_for_stop_request();
  notifier.stopping();
  service.stop();
  {
    std::lock_guard<std::mutex> lock(running_mutex);
    running = nullptr;
  }
  api.stop();
  log->info("stopped");
  if (service.has_abandoned_calls()) {
    // A plugin call still runs on some thread: unloading its library would crash it.
    std::_Exit(kExitOk);
  }
  return kExitOk;
}

}  // namespace flowweaver
