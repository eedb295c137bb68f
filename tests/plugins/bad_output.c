/* Raw C task types that break the output contract of plugin.h in ways the C++ SDK cannot:
 *
 *   bad_output.invalid_json   FW_OUTCOME_OK with output that is not JSON
 *   bad_output.no_output      FW_OUTCOME_OK without calling set_output (the output is null)
 *   bad_output.odd_outcome    an outcome that is not one of the fw_outcome values
 *   bad_output.nan_token      `NaN` where a number goes, as some JSON writers do (not JSON)
 *   bad_output.latin1         a string with a byte that is not UTF-8
 */
#include <flowweaver/plugin.h>
#include <stddef.h>

static fw_outcome invalid_json(const void* task_data, const fw_call* call) {
  static const char kText[] = "{not json";
  (void)task_data;
  call->host->set_output(call->host->host_data, kText, sizeof kText - 1);
  return FW_OUTCOME_OK;
}

static fw_outcome nan_token(const void* task_data, const fw_call* call) {
  static const char kText[] = "{\"stats\": {\"mean\": NaN}}";
  (void)task_data;
  call->host->set_output(call->host->host_data, kText, sizeof kText - 1);
  return FW_OUTCOME_OK;
}

static fw_outcome latin1(const void* task_data, const fw_call* call) {
  static const char kText[] = "{\"name\": \"caf\xe9\"}";
  (void)task_data;
  call->host->set_output(call->host->host_data, kText, sizeof kText - 1);
  return FW_OUTCOME_OK;
}

static fw_outcome no_output(const void* task_data, const fw_call* call) {
  (void)task_data;
  (void)call;
  return FW_OUTCOME_OK;
}

static fw_outcome odd_outcome(const void* task_data, const fw_call* call) {
  (void)task_data;
  (void)call;
  return (fw_outcome)3;
}

static const fw_task_type kTaskTypes[] = {
    {sizeof(fw_task_type), "invalid_json", "Returns text that is not JSON", NULL, 0, 0,
     invalid_json, NULL},
    {sizeof(fw_task_type), "nan_token", "Returns NaN as a bare token", NULL, 0, 0, nan_token, NULL},
    {sizeof(fw_task_type), "latin1", "Returns a string that is not UTF-8", NULL, 0, 0, latin1,
     NULL},
    {sizeof(fw_task_type), "no_output", "Succeeds without an output", NULL, 0, 0, no_output, NULL},
    {sizeof(fw_task_type), "odd_outcome", "Returns an outcome that does not exist", NULL, 0, 0,
     odd_outcome, NULL},
};

static const fw_plugin kPlugin = {
    FLOWWEAVER_ABI_VERSION,
    sizeof(fw_plugin),
    "bad_output",
    "0.0.1",
    kTaskTypes,
    sizeof kTaskTypes / sizeof kTaskTypes[0],
};

FW_PLUGIN_EXPORT const fw_plugin* flowweaver_plugin_entry(void) { return &kPlugin; }
