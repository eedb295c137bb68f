/* A plugin the service tests compile while the service runs, once per version, to deploy it
 * hot. Build with -DHOT_VERSION=<n>.
 *
 *   hot.version   waits `hold_ms` (default 0; cancellable), then returns {"version": <n>}
 */
#include <flowweaver/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HOT_VERSION
#error "build with -DHOT_VERSION=<n>"
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

/* Reads "hold_ms": <digits> (or the digits as a string, as ${env...} gives) out of the params
 * object; 0 when absent. */
static unsigned long hold_ms(const fw_call* call) {
  char buffer[256];
  size_t n = call->params_len < sizeof buffer - 1 ? call->params_len : sizeof buffer - 1;
  memcpy(buffer, call->params_json, n);
  buffer[n] = '\0';
  const char* at = strstr(buffer, "\"hold_ms\":");
  if (!at) return 0;
  at += strlen("\"hold_ms\":");
  if (*at == '"') ++at;
  return strtoul(at, NULL, 10);
}

static fw_outcome version(const void* task_data, const fw_call* call) {
  (void)task_data;
  const fw_host* host = call->host;
  unsigned long hold = hold_ms(call);
  if (hold > 0 && host->wait_cancelled(host->host_data, hold)) {
    static const char kCancelled[] = "cancelled";
    host->set_error(host->host_data, kCancelled, sizeof kCancelled - 1);
    return FW_OUTCOME_RETRYABLE;
  }
  static const char kOutput[] = "{\"version\":" STR(HOT_VERSION) "}";
  host->set_output(host->host_data, kOutput, sizeof kOutput - 1);
  return FW_OUTCOME_OK;
}

static const fw_param kParams[] = {
    {sizeof(fw_param), "hold_ms", "any", 0, "0", "How long to wait before returning"},
};

static const fw_task_type kTaskTypes[] = {
    {sizeof(fw_task_type), "version", "Returns the version it was built as", kParams, 1, 0, version,
     NULL},
};

static const fw_plugin kPlugin = {
    FLOWWEAVER_ABI_VERSION, sizeof(fw_plugin), "hot", STR(HOT_VERSION) ".0", kTaskTypes, 1,
};

FW_PLUGIN_EXPORT const fw_plugin* flowweaver_plugin_entry(void) { return &kPlugin; }
