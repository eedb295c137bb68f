/* A FlowWeaver plugin in plain C, written against plugin.h alone: proves the ABI needs no C++.
 *
 *   cgreet.hello   returns {"greeting":..., "task":..., "attempt":..., "with":<params>}
 *   cgreet.refuse  fails permanently with a message
 */
#include <flowweaver/plugin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes `text` as a JSON string (quotes included) to `out`, which must hold 6 bytes per input
 * byte plus 3. Returns the number of bytes written, without the terminating NUL. */
static size_t write_json_string(char* out, const char* text) {
  size_t n = 0;
  out[n++] = '"';
  for (const unsigned char* c = (const unsigned char*)text; *c; ++c) {
    if (*c == '"' || *c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)*c;
    } else if (*c < 0x20) {
      n += (size_t)sprintf(out + n, "\\u%04x", *c);
    } else {
      out[n++] = (char)*c;
    }
  }
  out[n++] = '"';
  out[n] = '\0';
  return n;
}

static fw_outcome fail(const fw_call* call, const char* message) {
  call->host->set_error(call->host->host_data, message, strlen(message));
  return FW_OUTCOME_RETRYABLE;
}

static fw_outcome hello(const void* task_data, const fw_call* call) {
  (void)task_data;
  const fw_host* host = call->host;
  static const char kLog[] = "hello from C";
  host->log(host->host_data, FW_LOG_INFO, kLog, sizeof kLog - 1);

  /* The output buffer is ours: set_output copies it, so it is freed right after. */
  size_t name_len = strlen(call->task_name);
  char* name = malloc(name_len * 6 + 3);
  size_t size = call->params_len + name_len * 6 + 128;
  char* json = malloc(size);
  fw_outcome outcome = FW_OUTCOME_OK;
  if (name == NULL || json == NULL) {
    outcome = fail(call, "out of memory");
  } else {
    write_json_string(name, call->task_name);
    /* params_json is the host's valid JSON object (defaults filled in): spliced in unparsed. */
    int len = snprintf(json, size,
                       "{\"greeting\":\"hello from C\",\"task\":%s,\"attempt\":%u,"
                       "\"with\":%.*s}",
                       name, (unsigned)call->attempt, (int)call->params_len, call->params_json);
    if (len < 0 || (size_t)len >= size) {
      outcome = fail(call, "output did not fit");
    } else {
      host->set_output(host->host_data, json, (size_t)len);
    }
  }
  free(name);
  free(json);
  return outcome;
}

static fw_outcome refuse(const void* task_data, const fw_call* call) {
  static const char kMessage[] = "cgreet.refuse always refuses (a permanent failure from C)";
  (void)task_data;
  call->host->set_error(call->host->host_data, kMessage, sizeof kMessage - 1);
  return FW_OUTCOME_PERMANENT;
}

/* Everything below is static and constant: it stays valid while the library is loaded. */
static const fw_param kHelloParams[] = {
    {sizeof(fw_param), "who", "string", 0, "\"world\"",
     "Who is greeted (echoed back under `with`)"},
};

static const fw_task_type kTaskTypes[] = {
    {sizeof(fw_task_type), "hello", "Greets from C; returns the task name, attempt and `with:`",
     kHelloParams, sizeof kHelloParams / sizeof kHelloParams[0], 0, hello, NULL},
    {sizeof(fw_task_type), "refuse", "Always fails permanently", NULL, 0, 0, refuse, NULL},
};

static const fw_plugin kPlugin = {
    FLOWWEAVER_ABI_VERSION,
    sizeof(fw_plugin),
    "cgreet",
    "0.3.0",
    kTaskTypes,
    sizeof kTaskTypes / sizeof kTaskTypes[0],
};

/* The one exported symbol. flowweaver_add_plugin hides everything by default, so the entry
 * must say it is visible. */
FW_PLUGIN_EXPORT const fw_plugin* flowweaver_plugin_entry(void) { return &kPlugin; }
