// LoadedPlugin reads a descriptor as plugin.h promises: arrays are stepped through by their first
// element's struct_size, so a plugin built against a newer, longer header still loads.
#include "plugin/loaded_plugin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace flowweaver {
namespace {

fw_outcome run_nothing(const void*, const fw_call*) { return FW_OUTCOME_OK; }

// A task type as a later header might declare it: this one's fields, then one more.
struct LongerTaskType {
  fw_task_type known;
  uint64_t added_later;
};

// The host once stepped through task types by its own sizeof(fw_task_type), reading the second
// one from the middle of the first (clang's -Wunused-const-variable pointed at the unused size
// check, building the fuzz target).
TEST(LoadedPluginTest, TaskTypesAreSteppedThroughByTheirStructSize) {
  LongerTaskType types[2] = {};
  const char* names[] = {"first", "second"};
  for (int i = 0; i < 2; ++i) {
    types[i].known.struct_size = sizeof(LongerTaskType);
    types[i].known.name = names[i];
    types[i].known.run = run_nothing;
    types[i].added_later = 42;
  }
  fw_plugin plugin{FLOWWEAVER_ABI_VERSION, sizeof(fw_plugin), "longer", "1.0", &types[0].known, 2};
  LoadedPlugin loaded(&plugin, "longer.so", nullptr);
  EXPECT_EQ(loaded.task_type_names(), (std::vector<std::string>{"first", "second"}));
}

TEST(LoadedPluginTest, TaskTypesShorterThanTheFirstAbiVersionAreRefused) {
  fw_task_type type{};
  type.struct_size = sizeof(uint32_t);
  type.name = "short";
  type.run = run_nothing;
  fw_plugin plugin{FLOWWEAVER_ABI_VERSION, sizeof(fw_plugin), "short", "1.0", &type, 1};
  try {
    LoadedPlugin loaded(&plugin, "short.so", nullptr);
    ADD_FAILURE() << "loaded a plugin whose task types are too short";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kPluginLoad);
    EXPECT_NE(std::string(e.what()).find("struct_size"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace flowweaver
