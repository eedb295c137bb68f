/* A plugin built for an ABI version this host does not speak. The host must refuse it after
 * reading abi_version and before touching any other field; the rest of the descriptor is
 * well-formed so that only the version can be the reason. */
#include <flowweaver/plugin.h>
#include <stddef.h>

static fw_outcome never_called(const void* task_data, const fw_call* call) {
  (void)task_data;
  (void)call;
  return FW_OUTCOME_OK;
}

static const fw_task_type kTaskTypes[] = {
    {sizeof(fw_task_type), "noop", "Must never run", NULL, 0, 0, never_called, NULL},
};

static const fw_plugin kPlugin = {
    999u, sizeof(fw_plugin), "wrong_abi", "9.9.9", kTaskTypes, 1,
};

FW_PLUGIN_EXPORT const fw_plugin* flowweaver_plugin_entry(void) { return &kPlugin; }
