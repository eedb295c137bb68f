/*
 * FlowWeaver plugin ABI: the C boundary between the host and a task plugin.
 *
 * A plugin is a shared object exporting one symbol, FLOWWEAVER_ENTRY_SYMBOL, of type
 * fw_entry_fn. The host calls it once after loading and reads the returned descriptor,
 * checking abi_version before touching any other field. Nothing else is looked up.
 *
 * Most authors never include this file directly: sdk.hpp wraps it. It exists so that a plugin
 * can be written in C (or any language with a C FFI) and built by any compiler.
 *
 * Ownership: every pointer the host passes (fw_call, fw_host and the strings they reference) is
 * borrowed and valid only until the call returns. Every pointer in a descriptor is owned by
 * the plugin and must stay valid while the library is loaded. Results travel the other way
 * through set_output / set_error, which copy what they are given. So no buffer is ever freed
 * on the other side of the boundary, and no exception may cross it.
 *
 * Threads: a task type's run function may be called from several host threads at once.
 *
 * Growth: structs carry struct_size; the host only appends fields, so a plugin compiled
 * against an older header keeps working. Arrays (task_types, params) are stepped through by
 * their first element's struct_size, so every element of one array must have the same size.
 * A change that breaks this raises the ABI version.
 */
#ifndef FLOWWEAVER_PLUGIN_H_
#define FLOWWEAVER_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#define FLOWWEAVER_ABI_VERSION 1u
#define FLOWWEAVER_ENTRY_SYMBOL "flowweaver_plugin_entry"

/* Marks the entry function as exported. flowweaver_add_plugin hides every other symbol. */
#define FW_PLUGIN_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* How one call ended. RETRYABLE failures are retried per the task's policy; PERMANENT ones
 * fail the task at once. */
typedef enum fw_outcome {
  FW_OUTCOME_OK = 0,
  FW_OUTCOME_RETRYABLE = 1,
  FW_OUTCOME_PERMANENT = 2,
  /* Not an outcome: makes every 32-bit value a valid fw_outcome, so a host reading a value a
   * newer or buggy plugin returns never meets an out-of-range enum. Unknown values fail the
   * task permanently. */
  FW_OUTCOME_FORCE_32BIT_ = 0x7fffffff
} fw_outcome;

typedef enum fw_log_level {
  FW_LOG_DEBUG = 0,
  FW_LOG_INFO = 1,
  FW_LOG_WARN = 2,
  FW_LOG_ERROR = 3
} fw_log_level;

/* Services the host offers during one call. */
typedef struct fw_host {
  uint32_t struct_size;
  void* host_data; /* pass back as the first argument of every function below */
  void (*log)(void* host_data, fw_log_level level, const char* message, size_t len);
  /* 1 once the call should stop early (timeout or shutdown), else 0. */
  int (*is_cancelled)(void* host_data);
  /* Sleeps up to timeout_ms; returns 1 as soon as the call is cancelled, 0 after the full wait. */
  int (*wait_cancelled)(void* host_data, uint64_t timeout_ms);
  /* JSON text of an upstream task's output, or NULL when `upstream` is not in depends_on.
   * *len receives its length. Valid until the call returns. */
  const char* (*input)(void* host_data, const char* upstream, size_t* len);
  /* The call's result: JSON text in UTF-8 (copied). Used when run returns FW_OUTCOME_OK.
   * Text that is not valid UTF-8 or JSON (NaN and Infinity are not JSON) fails the task
   * without retries: it would be the same on every attempt. */
  void (*set_output)(void* host_data, const char* json, size_t len);
  /* Why the call failed: UTF-8 text (copied). Used when run returns a failure. */
  void (*set_error)(void* host_data, const char* message, size_t len);
  /* Added within ABI 1: a host older than this field does not offer it, so check
   * FW_HOST_HAS(host, set_retry_after) before calling it. Asks that the next attempt start no
   * sooner than delay_ms after this one ends (e.g. an HTTP server's Retry-After). Used only
   * when run returns FW_OUTCOME_RETRYABLE. The host waits the longer of this and the task's
   * own retry delay, but never longer than the task's max_retry_delay. */
  void (*set_retry_after)(void* host_data, uint64_t delay_ms);
} fw_host;

/* True when `host` (a const fw_host*) is large enough to hold `field`: the way a plugin asks
 * whether the host that calls it knows a field added after the plugin's oldest supported host. */
#define FW_HOST_HAS(host, field) \
  ((host)->struct_size >= offsetof(fw_host, field) + sizeof((host)->field))

/* One call of a task type. */
typedef struct fw_call {
  uint32_t struct_size;
  const char* task_name;   /* the task's name in the manifest */
  const char* params_json; /* the resolved `with:` object, defaults filled in */
  size_t params_len;
  uint32_t attempt; /* 1 for the first attempt of this task in this run */
  const fw_host* host;
} fw_call;

typedef fw_outcome (*fw_run_fn)(const void* task_data, const fw_call* call);

/* One parameter a task type accepts under `with:`. type is one of "string", "integer",
 * "number", "boolean", "object", "array", "duration" (a string such as "30s") or "any". */
typedef struct fw_param {
  uint32_t struct_size;
  const char* name;
  const char* type;
  int required;             /* 1: `with:` must give it */
  const char* default_json; /* JSON text used when absent, or NULL */
  const char* description;  /* one line */
} fw_param;

/* The task type accepts keys beyond its declared params (validate does not reject them). */
#define FW_TASK_OPEN_PARAMS 1u

typedef struct fw_task_type {
  uint32_t struct_size;
  const char* name;        /* used in manifests as "<plugin>.<name>" */
  const char* description; /* one line */
  const fw_param* params;
  uint32_t num_params;
  uint32_t flags; /* FW_TASK_* bits */
  fw_run_fn run;
  const void* task_data; /* handed back to run unchanged */
} fw_task_type;

typedef struct fw_plugin {
  uint32_t abi_version; /* FLOWWEAVER_ABI_VERSION; must stay the first field */
  uint32_t struct_size;
  const char* name;    /* [a-z0-9_], unique among loaded plugins */
  const char* version; /* free text, e.g. "1.2.0" */
  const fw_task_type* task_types;
  uint32_t num_task_types;
} fw_plugin;

/* The entry function, exported as FLOWWEAVER_ENTRY_SYMBOL (declare it FW_PLUGIN_EXPORT).
 * Called once, right after loading; it must not fail by throwing or aborting: return NULL to
 * refuse loading. */
typedef const fw_plugin* (*fw_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* FLOWWEAVER_PLUGIN_H_ */
