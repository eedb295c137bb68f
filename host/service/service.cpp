#include "service/service.h"

#include <fcntl.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "exec/crash_marker.h"
#include "service/run_events_observer.h"
#include "state/postgres_connection.h"
#include "state/record_json.h"
#include "state/state_location.h"
#include "util/error.h"
#include "util/log_format.h"

namespace flowweaver {

namespace fs = std::filesystem;

namespace {

// A takeover (Service::adopt_orphaned_runs) that found, once it held the state, no run left to
// resume: another host took it over first and finished it.
struct NothingToTakeOver : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// How often the loop turns when nothing wakes it: its heartbeat, read by /readyz.
constexpr Millis kTick{1000};
// How long after a change in a watched directory the rescan happens, so a burst of events
// (a copy, then a rename) costs one reload.
constexpr Millis kReloadDebounce{200};
// A heartbeat older than this means the loop is stuck.
constexpr Millis kStaleHeartbeat{10000};
// Grace period for cancelled tasks (timeouts, and the end of the shutdown drain).
constexpr Millis kCancelGrace{10000};

int64_t ns_since_epoch(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

void create_directory(const fs::path& dir, const char* what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error::IO(std::string("cannot create the ") + what + " " + dir.string() + ": " +
                    (ec ? ec.message() : "not a directory"));
  }
}

std::shared_ptr<spdlog::logger> run_logger_for(const spdlog::logger& service_log) {
  auto log = std::make_shared<spdlog::logger>("run", service_log.sinks().begin(),
                                              service_log.sinks().end());
  log->set_level(service_log.level());
  log->flush_on(spdlog::level::info);
  return log;
}

// The run's own log file, size-rotated. Its descriptor is kept out of the processes tasks spawn.
spdlog::sink_ptr run_log_file(const fs::path& file, const ServiceConfig& config) {
  spdlog::file_event_handlers handlers;
  handlers.after_open = [](const spdlog::filename_t&, std::FILE* f) {
    ::fcntl(::fileno(f), F_SETFD, FD_CLOEXEC);
  };
  auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
      file.string(), config.log_max_bytes, static_cast<size_t>(config.log_max_files), false,
      handlers);
  sink->set_formatter(make_log_formatter());
  return sink;
}

}  // namespace

Service::Service(ServiceConfig config, std::shared_ptr<spdlog::logger> log, Clock& clock,
                 SystemdNotifier& notifier)
    : config_(std::move(config)),
      log_(std::move(log)),
      clock_(clock),
      notifier_(notifier),
      metrics_([this] { return static_cast<double>(active_runs()); },
               [this] { return static_cast<double>(plugins_loaded()); }),
      last_success_(
          [this](const std::string& workflow) { return last_success_in_state(workflow); }) {
  metrics_.add_workflow_gauges([this] { return workflow_samples(&Service::last_success_seconds); },
                               [this] { return workflow_samples(&Service::next_run_seconds); });
  if (!config_.pools.empty()) {
    pools_ = std::make_shared<PoolSlots>(config_.pools);
    metrics_.add_pool_gauges(pools_);
  }
}

double Service::last_success_seconds(const ServedWorkflow& served) {
  return last_success_.seconds(served.workflow->manifest.name);
}

double Service::next_run_seconds(const ServedWorkflow& served) {
  if (!served.schedule) return 0;
  std::optional<TimePoint> next = served.schedule->next_after(clock_.now());
  return next ? unix_seconds(*next) : 0;
}

MetricsRegistry::GaugeSamples Service::workflow_samples(
    double (Service::*value)(const ServedWorkflow&)) {
  MetricsRegistry::GaugeSamples samples;
  if (!workflows_) return samples;  // not started yet
  for (const ServedWorkflow& served : workflows_->list()) {
    samples.push_back({{served.workflow->manifest.name}, (this->*value)(served)});
  }
  return samples;
}

Service::~Service() { stop(); }

std::string Service::state_path(const std::string& workflow) const {
  if (!config_.state_url.empty()) return workflow_state(config_.state_url, workflow);
  return state_file_in(config_.state_dir, workflow);
}

std::optional<RunRecord> Service::latest_stored_run(const std::string& workflow) const {
  std::unique_ptr<StateStore> store = find_state_store(state_path(workflow));
  return store ? store->latest_run(workflow) : std::nullopt;
}

void Service::start() {
  create_directory(config_.state_dir, "state directory");
  if (!config_.state_url.empty()) {
    // At once, not at the first run: a wrong password or a server down fails the start.
    PgConnection reachable(config_.state_url);
    log_->info("host {}: runs are kept in {}", config_.host_id, reachable.describe());
  }
  create_directory(config_.log_dir, "log directory");
  std::error_code ec;
  if (!fs::is_directory(config_.workflows_dir, ec)) {
    throw Error::NotFound("the workflows directory " + config_.workflows_dir.string() +
                          " does not exist: create it, or set workflows_dir in the config");
  }
  plugins_ = std::make_unique<PluginCatalog>(config_.plugin_dirs,
                                             config_.state_dir / ".plugin-cache", log_);
  plugins_->refresh();
  workflows_ =
      std::make_unique<WorkflowCatalog>(config_.workflows_dir, config_.default_isolation, log_);
  workflows_->declare_pools(config_.pools, config_.file);
  workflows_->refresh(plugins_->registry());
  join_cluster();
  start_claim_workers();
  std::vector<fs::path> watched = config_.plugin_dirs;
  watched.push_back(config_.workflows_dir);
  watcher_ = std::make_unique<DirectoryWatcher>(watched, [this] { request_reload(); });
  TimePoint now = clock_.now();
  sync_schedules(now);
  resume_unfinished_runs();
  start_catch_up_runs(now);
  heartbeat_ns_ = ns_since_epoch(now);
  loop_thread_ = std::thread([this] { loop(); });
}

void Service::start_claim_workers() {
  if (config_.state_url.empty()) return;
  claims_ = std::make_unique<ClusterNode>(
      ClusterSettings{config_.state_url, config_.host_id, config_.cluster_workers, config_.lease},
      log_);
  WorkflowCatalog* catalog = workflows_.get();
  claims_->start_workers(
      [catalog] {
        std::vector<std::shared_ptr<const Workflow>> served;
        for (const ServedWorkflow& s : catalog->list()) served.push_back(s.workflow);
        return served;
      },
      [this] { return local_plugins(); });
}

void Service::loop() {
  while (true) {
    heartbeat_ns_ = ns_since_epoch(clock_.now());
    bool reload_now = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_requested_) break;
      if (reload_due_ && std::chrono::steady_clock::now() >= *reload_due_) {
        reload_due_.reset();
        reload_now = true;
      }
    }
    if (reload_now) reload();
    reap_finished_runs();
    start_due_runs(clock_.now());
    adopt_orphaned_runs();
    if (notifier_.watchdog_interval()) notifier_.watchdog();
    notifier_.status(status_line());

    std::unique_lock<std::mutex> lock(mutex_);
    if (stop_requested_) break;
    TimePoint now = clock_.now();
    Millis wait = std::min(kTick, notifier_.watchdog_interval().value_or(kTick));
    if (reload_due_) wait = std::min(wait, kReloadDebounce);
    TimePoint wake = now + wait;
    if (std::optional<TimePoint> next = schedules_.next_fire()) wake = std::min(wake, *next);
    clock_.wait_until(lock, cv_, wake);
  }
}

void Service::reload() {
  plugins_->refresh();
  workflows_->refresh(plugins_->registry());
  sync_schedules(clock_.now());
}

void Service::sync_schedules(TimePoint now) {
  std::vector<std::string> scheduled;
  for (const ServedWorkflow& served : workflows_->list()) {
    if (!served.schedule) continue;
    const std::string& name = served.workflow->manifest.name;
    schedules_.set(name, *served.schedule, now);
    scheduled.push_back(name);
  }
  for (const std::string& name : schedules_.workflows()) {
    if (std::find(scheduled.begin(), scheduled.end(), name) == scheduled.end()) {
      schedules_.remove(name);
    }
  }
}

void Service::resume_unfinished_runs() {
  for (const ServedWorkflow& served : workflows_->list()) {
    const std::string& name = served.workflow->manifest.name;
    std::optional<RunRecord> latest;
    try {
      latest = latest_stored_run(name);
    } catch (const Error& e) {
      log_->error("workflow '{}': {}", name, e.what());
      continue;
    }
    if (!latest) continue;
    if (latest->status != RunStatus::kRunning && latest->status != RunStatus::kInterrupted) {
      continue;
    }
    log_->info("run {} of '{}' was left {} by an earlier process: resuming it", latest->run_id,
               name, to_string(latest->status));
    StartRunResult r = start_run(name, "resume");
    if (r.code == StartRunResult::Code::kActiveElsewhere) {
      log_->info("run {} of '{}' is not resumed here: {}", latest->run_id, name, r.message);
    } else if (r.code != StartRunResult::Code::kStarted) {
      log_->error("could not resume run {} of '{}': {}", latest->run_id, name, r.message);
    }
  }
}

void Service::start_catch_up_runs(TimePoint now) {
  for (const ServedWorkflow& served : workflows_->list()) {
    const Manifest& m = served.workflow->manifest;
    if (!served.schedule || !m.catchup) continue;
    std::optional<RunRecord> latest;
    try {
      latest = latest_stored_run(m.name);
    } catch (const Error& e) {
      log_->error("workflow '{}': {}", m.name, e.what());
      continue;
    }
    std::optional<TimePoint> missed =
        latest ? served.schedule->next_after(latest->started_at) : std::nullopt;
    if (!missed || *missed > now) continue;
    if (!claim_fire({m.name, *missed})) continue;  // another host catches up
    log_->info("workflow '{}' missed its schedule since run {}: starting one catch-up run", m.name,
               latest->run_id);
    StartRunResult r = start_run(m.name, "catch-up");
    if (r.code != StartRunResult::Code::kStarted) {
      log_->warn("catch-up run of '{}' not started: {}", m.name, r.message);
    }
  }
}

StartRunResult Service::start_run(const std::string& workflow, const std::string& reason,
                                  const nlohmann::json& params) {
  using Code = StartRunResult::Code;
  std::optional<ServedWorkflow> served = workflows_->find(workflow);
  if (!served) return {Code::kUnknownWorkflow, "", "no workflow named '" + workflow + "'"};
  try {
    check_given_params(served->workflow->manifest, params, ParamSource::kApi);
  } catch (const ParamsRefused& e) {
    return {Code::kBadParams, "", e.what()};
  }
  auto opened = std::make_shared<std::promise<std::string>>();
  std::future<std::string> run_id = opened->get_future();
  std::shared_ptr<ActiveRun> ended;
  std::optional<StartRunResult> refused = launch_run(*served, reason, params, opened, &ended);
  // Its thread is past everything that takes mutex_, so this join is short; it is done outside
  // mutex_ all the same, as reap_finished_runs() does.
  if (ended) ended->thread.join();
  if (refused) return *refused;
  std::exception_ptr failure;
  try {
    return {Code::kStarted, run_id.get(), ""};
  } catch (...) {
    failure = std::current_exception();
  }
  discard_unopened_run(workflow);
  try {
    std::rethrow_exception(failure);
  } catch (const ParamsRefused& e) {
    // Nothing ran: the parameters could not be resolved, or differ from the resumed run's.
    return {Code::kBadParams, "", e.what()};
  } catch (const StateInUse& e) {
    return active_elsewhere(workflow, e);
  } catch (const std::exception& e) {
    return {Code::kFailed, "", e.what()};
  }
  return {Code::kFailed, "", "the run could not be started"};
}

std::optional<StartRunResult> Service::launch_run(const ServedWorkflow& served,
                                                  const std::string& reason,
                                                  const nlohmann::json& params,
                                                  std::shared_ptr<std::promise<std::string>> opened,
                                                  std::shared_ptr<ActiveRun>* ended) {
  using Code = StartRunResult::Code;
  const std::string& workflow = served.workflow->manifest.name;
  std::unique_lock<std::mutex> lock(mutex_);
  *ended = take_ending_run(lock, workflow);
  if (stop_requested_) return StartRunResult{Code::kStopping, "", "the service is stopping"};
  auto it = active_.find(workflow);
  if (it != active_.end()) {
    return StartRunResult{Code::kAlreadyActive, it->second->run_id,
                          "run " + it->second->run_id + " of '" + workflow + "' is still active"};
  }
  if (active_.size() >= static_cast<size_t>(config_.max_concurrent_runs)) {
    return StartRunResult{Code::kAtCapacity, "",
                          "max_concurrent_runs (" + std::to_string(config_.max_concurrent_runs) +
                              ") runs are active"};
  }
  auto active = std::make_shared<ActiveRun>();
  active->workflow = workflow;
  active->reason = reason;
  active->params = params;
  active->started = clock_.now();
  ActiveRun* raw = active.get();
  active_[workflow] = std::move(active);
  raw->thread = std::thread([this, raw, served, opened] { run_body(raw, served, opened); });
  return std::nullopt;
}

// A run that could not be opened (nothing ran) leaves nothing behind: its thread is joined
// before the caller hears why, so that the next request is not refused as "still active".
void Service::discard_unopened_run(const std::string& workflow) {
  std::shared_ptr<ActiveRun> run;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = active_.find(workflow);
    if (it == active_.end() || !it->second->run_id.empty()) return;
    run = it->second;
    cv_.wait(lock, [&] { return run->finished; });
    it = active_.find(workflow);
    if (it == active_.end() || it->second != run) return;  // the loop reaped it meanwhile
    active_.erase(it);
  }
  run->thread.join();
}

// A client that has read a run's final status may start the next run at once: the loop may not
// have reaped the old one yet. Its thread has no more than the state to close, which the next run
// must wait for, since the thread holds the state's writer lock until then.
std::shared_ptr<Service::ActiveRun> Service::take_ending_run(std::unique_lock<std::mutex>& lock,
                                                             const std::string& workflow) {
  auto it = active_.find(workflow);
  if (it == active_.end() || !it->second->ending) return nullptr;
  std::shared_ptr<ActiveRun> ending = it->second;
  cv_.wait(lock, [&] { return ending->finished || stop_requested_; });
  it = active_.find(workflow);
  if (it == active_.end() || it->second != ending || !ending->finished) {
    return nullptr;  // the loop reaped it meanwhile, or the service is stopping
  }
  active_.erase(it);
  return ending;
}

void Service::run_body(ActiveRun* active, ServedWorkflow served,
                       std::shared_ptr<std::promise<std::string>> opened) {
  const Workflow& w = *served.workflow;
  const std::string& name = w.manifest.name;
  bool was_opened = false;
  std::string opened_run_id;
  try {
    std::unique_ptr<StateStore> store = open_state_store(state_path(name), Durability::kNormal);
    if (active->reason == kTakeoverReason && !resumable_run(*store, name, false)) {
      throw NothingToTakeOver("its run was resumed and ended by another host meanwhile");
    }
    ClusterRunRow cluster_row(cluster_.get(), name);  // dropped before the store's lock
    active->stop_switch.watch_cancel_requests(state_path(name));
    std::shared_ptr<spdlog::logger> run_log = run_logger_for(*log_);
    std::unique_ptr<RunObserver> metrics = metrics_.observe_run(name, w.manifest.tasks.size());
    RunEventsObserver events(w.manifest);
    ObserverList observers;
    observers.add(metrics.get());
    observers.add(&events);
    ExecuteOptions options;
    options.given_params = active->params;
    options.params_source = ParamSource::kApi;
    int workers = w.manifest.max_workers.value_or(
        static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    options.max_workers = std::min(workers, config_.max_workers.value_or(workers));
    options.grace_period = kCancelGrace;
    options.drain_period = config_.grace_period;
    options.observer = &observers;
    options.task_log_root = config_.log_dir;
    options.pools = pools_;
    options.crash_marker = crash_marker_path(state_path(name));
    options.state_path = state_path(name);
    options.cluster = claims_.get();
    // This run's version stays claimable here even if the manifest changes meanwhile.
    std::shared_ptr<void> held = claims_ ? claims_->hold_version(served.workflow) : nullptr;
    options.on_opened = [&](const RunRecord& run) {
      fs::path file = config_.log_dir / name / (run.run_id + ".log");
      try {
        create_directory(file.parent_path(), "log directory");
        run_log->sinks().push_back(run_log_file(file, config_));
      } catch (const std::exception& e) {
        log_->warn("run {} of '{}' has no log file: {}", run.run_id, name, e.what());
      }
      run_log->info("run {} of '{}' ({}) started by {}", run.run_id, name, served.file.string(),
                    active->reason);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        active->run_id = run.run_id;
      }
      run_index_.remember(run.run_id, name);
      cluster_row.opened(run.run_id, w);
      events.attach(run_events_.open(run.run_id));
      opened_run_id = run.run_id;
      was_opened = true;
      opened->set_value(run.run_id);
    };
    options.on_ending = [&] {
      std::lock_guard<std::mutex> lock(mutex_);
      active->ending = true;
    };
    RunOutcome outcome = execute_run(w, *store, run_log, clock_, active->stop_switch, options);
    run_events_.finish(outcome.run.run_id, run_status_json(outcome.run).dump());
    metrics_.run_finished(name, outcome.result.status);
    if (outcome.run.status == RunStatus::kCompleted && outcome.run.finished_at) {
      last_success_.record(name, *outcome.run.finished_at);
    }
    run_log->info("run {} of '{}' ended {}", outcome.run.run_id, name,
                  to_string(outcome.result.status));
    if (outcome.result.abandoned_calls) {
      std::lock_guard<std::mutex> lock(mutex_);
      never_unload_.push_back(served.workflow);  // a call still runs the plugin's code
    }
  } catch (const ParamsRefused& e) {  // the caller tells the client what to fix
    log_->error("run of '{}' not started: {}", name, e.what());
    if (!was_opened) opened->set_exception(std::current_exception());
  } catch (const StateInUse& e) {  // another host runs it: the caller says which
    if (active->reason == kTakeoverReason) {
      log_->debug("run of '{}' not taken over: {}", name, e.what());
    } else {
      log_->info("run of '{}' not started: {}", name, e.what());
    }
    if (!was_opened) opened->set_exception(std::current_exception());
  } catch (const NothingToTakeOver& e) {
    log_->debug("run of '{}' not taken over: {}", name, e.what());
    if (!was_opened) opened->set_exception(std::current_exception());
  } catch (const std::exception& e) {
    log_->error("run of '{}' stopped: {}", name, e.what());
    if (!was_opened) opened->set_exception(std::make_exception_ptr(Error::State(e.what())));
  }
  // A run that stopped on an error has no final status to tell: its clients get "end".
  if (!opened_run_id.empty()) run_events_.finish(opened_run_id, std::nullopt);
  {
    std::lock_guard<std::mutex> lock(mutex_);  // take_ending_run() waits for this under it
    active->finished = true;
  }
  cv_.notify_all();
}

void Service::reap_finished_runs() {
  std::vector<std::shared_ptr<ActiveRun>> finished;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = active_.begin(); it != active_.end();) {
      if (it->second->finished) {
        finished.push_back(std::move(it->second));
        it = active_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& run : finished) run->thread.join();
}

void Service::request_stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!stop_requested_) {
    stop_requested_ = true;
    for (auto& [name, run] : active_) run->stop_switch.trigger(SIGTERM);
  }
  cv_.notify_all();
}

bool Service::stop_requested() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stop_requested_;
}

void Service::stop() {
  request_stop();
  if (loop_thread_.joinable()) loop_thread_.join();
  watcher_.reset();
  std::map<std::string, std::shared_ptr<ActiveRun>> runs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    runs.swap(active_);
  }
  for (auto& [name, run] : runs) run->thread.join();
  // After the runs: their tasks claimed here were let finish during the drain.
  if (claims_) claims_->stop_workers();
  if (cluster_) cluster_->stop();
}

void Service::request_reload() {
  std::lock_guard<std::mutex> lock(mutex_);
  reload_due_ = std::chrono::steady_clock::now() + kReloadDebounce;
  cv_.notify_all();
}

void Service::poke() { cv_.notify_all(); }

void Service::wait_for_stop_request() {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [this] { return stop_requested_; });
}

size_t Service::active_runs() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_.size();
}

size_t Service::plugins_loaded() const {
  return plugins_ ? plugins_->registry()->plugins().size() : 0;
}

bool Service::has_abandoned_calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !never_unload_.empty();
}

std::string Service::status_line() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (active_.empty()) return "idle";
  std::string line = std::to_string(active_.size()) + " active run(s):";
  for (const auto& [name, run] : active_) line += " " + name;
  return line;
}

std::vector<HealthCheck> Service::health_checks(bool deep) const {
  std::vector<HealthCheck> checks;
  auto age = std::chrono::nanoseconds(ns_since_epoch(clock_.now()) - heartbeat_ns_.load());
  HealthCheck loop{"scheduler", age < kStaleHeartbeat, ""};
  loop.detail = "the service loop last turned " +
                std::to_string(std::chrono::duration_cast<Millis>(age).count()) + " ms ago";
  checks.push_back(loop);

  HealthCheck store{"state_store", true, config_.state_dir.string() + " is writable"};
  fs::path probe = config_.state_dir / (".health-probe-" + std::to_string(::getpid()));
  int fd = ::open(probe.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, "ok", 2) != 2) {
    store = {"state_store", false,
             "cannot write in the state directory " + config_.state_dir.string() + ": " +
                 std::strerror(errno)};
  }
  if (fd >= 0) ::close(fd);
  ::unlink(probe.c_str());
  if (deep && store.ok && workflows_) {
    for (const ServedWorkflow& served : workflows_->list()) {
      const std::string& name = served.workflow->manifest.name;
      try {
        latest_stored_run(name);
      } catch (const std::exception& e) {
        store = {"state_store", false, e.what()};
        break;
      }
    }
  }
  checks.push_back(store);
  add_cluster_checks(&checks, deep);
  return checks;
}

}  // namespace flowweaver
