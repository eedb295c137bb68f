/* Task types that end their process in every way a plugin can, for `isolation: process` tests.
 *
 *   crashy.pid        returns {"pid": <the process it ran in>}
 *   crashy.segfault   writes through a null pointer
 *   crashy.abort      calls abort()
 *   crashy.exit       calls exit(3)
 *   crashy.hog        allocates and touches memory until allocation fails, then aborts
 *   crashy.stubborn   ignores SIGTERM and cancellation, sleeping for 60 s
 */
#include <flowweaver/plugin.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static fw_outcome pid(const void* data, const fw_call* call) {
  (void)data;
  char out[64];
  int n = snprintf(out, sizeof out, "{\"pid\":%ld}", (long)getpid());
  call->host->set_output(call->host->host_data, out, (size_t)n);
  return FW_OUTCOME_OK;
}

static fw_outcome segfault(const void* data, const fw_call* call) {
  (void)data;
  (void)call;
  volatile int* nowhere = NULL;
  *nowhere = 1;
  return FW_OUTCOME_OK;
}

static fw_outcome do_abort(const void* data, const fw_call* call) {
  (void)data;
  (void)call;
  abort();
}

static fw_outcome do_exit(const void* data, const fw_call* call) {
  (void)data;
  (void)call;
  exit(3);
}

static fw_outcome hog(const void* data, const fw_call* call) {
  (void)data;
  (void)call;
  for (;;) {
    char* block = malloc(16 << 20);
    if (block == NULL) abort();
    memset(block, 1, 16 << 20);
  }
}

static fw_outcome stubborn(const void* data, const fw_call* call) {
  (void)data;
  (void)call;
  signal(SIGTERM, SIG_IGN);
  for (int i = 0; i < 600; ++i) usleep(100000);
  return FW_OUTCOME_OK;
}

static const fw_task_type kTaskTypes[] = {
    {sizeof(fw_task_type), "pid", "Returns the PID it ran in", NULL, 0, 0, pid, NULL},
    {sizeof(fw_task_type), "segfault", "Crashes with SIGSEGV", NULL, 0, 0, segfault, NULL},
    {sizeof(fw_task_type), "abort", "Calls abort()", NULL, 0, 0, do_abort, NULL},
    {sizeof(fw_task_type), "exit", "Calls exit(3)", NULL, 0, 0, do_exit, NULL},
    {sizeof(fw_task_type), "hog", "Allocates until it cannot", NULL, 0, 0, hog, NULL},
    {sizeof(fw_task_type), "stubborn", "Ignores SIGTERM for 60 s", NULL, 0, 0, stubborn, NULL},
};

static const fw_plugin kPlugin = {
    FLOWWEAVER_ABI_VERSION,
    sizeof(fw_plugin),
    "crashy",
    "1.0",
    kTaskTypes,
    sizeof kTaskTypes / sizeof kTaskTypes[0],
};

FW_PLUGIN_EXPORT const fw_plugin* flowweaver_plugin_entry(void) { return &kPlugin; }
