#include "plugin/loaded_plugin.h"

#include <boost/dll/shared_library.hpp>
#include <cstddef>
#include <set>

#include "plugin/elf_check.h"
#include "plugin/plugin_file_check.h"
#include "util/error.h"
#include "util/sha256.h"

namespace flowweaver {
namespace {

const std::set<std::string> kParamTypes = {"string", "integer", "number",   "boolean",
                                           "object", "array",   "duration", "any"};

std::string text_or_empty(const char* s) { return s ? s : ""; }

ParamDecl copy_param(const fw_param& p, const std::string& where) {
  if (p.name == nullptr || p.type == nullptr) {
    throw std::invalid_argument(where + " declares a parameter without a name or type");
  }
  ParamDecl decl{p.name, p.type, p.required != 0, std::nullopt, text_or_empty(p.description)};
  if (!kParamTypes.count(decl.type)) {
    throw std::invalid_argument(where + " parameter '" + decl.name + "' has unknown type '" +
                                decl.type + "'");
  }
  if (p.default_json != nullptr) {
    try {
      decl.default_value = nlohmann::json::parse(p.default_json);
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument(where + " parameter '" + decl.name +
                                  "' has a default that is not valid JSON");
    }
  }
  return decl;
}

// The size a descriptor struct must have at least: ABI version 1's, whatever later headers add.
constexpr uint32_t kMinPluginSize = offsetof(fw_plugin, num_task_types) + sizeof(uint32_t);
constexpr uint32_t kMinTaskTypeSize = offsetof(fw_task_type, task_data) + sizeof(void*);
constexpr uint32_t kMinParamSize = offsetof(fw_param, description) + sizeof(const char*);

// Element i of a plugin-owned array whose elements are `stride` bytes apart (the plugin's
// struct_size, which may exceed ours if it was built against a newer header).
template <class T>
const T& element(const T* array, uint32_t stride, uint32_t i) {
  return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(array) + size_t{stride} * i);
}

TaskTypeInfo copy_task_type(const fw_task_type& t) {
  if (t.name == nullptr || t.run == nullptr) {
    throw std::invalid_argument("a task type has no name or no run function");
  }
  TaskTypeInfo info;
  info.name = t.name;
  info.description = text_or_empty(t.description);
  info.open_params = (t.flags & FW_TASK_OPEN_PARAMS) != 0;
  info.run = t.run;
  info.task_data = t.task_data;
  std::string where = "task type '" + info.name + "'";
  if (t.num_params > 0 && t.params == nullptr) {
    throw std::invalid_argument(where + " declares parameters but gives none");
  }
  uint32_t stride = t.num_params > 0 ? t.params[0].struct_size : 0;
  if (t.num_params > 0 && stride < kMinParamSize) {
    throw std::invalid_argument(where + " has parameters with a bad struct_size");
  }
  for (uint32_t i = 0; i < t.num_params; ++i) {
    info.params.push_back(copy_param(element(t.params, stride, i), where));
  }
  return info;
}

}  // namespace

const ParamDecl* TaskTypeInfo::find_param(const std::string& param) const {
  for (const ParamDecl& p : params) {
    if (p.name == param) return &p;
  }
  return nullptr;
}

LoadedPlugin::LoadedPlugin(const fw_plugin* d, std::filesystem::path path,
                           std::shared_ptr<void> keep_alive, std::string sha256,
                           std::filesystem::path loaded_from)
    : path_(std::move(path)),
      loaded_from_(std::move(loaded_from)),
      keep_alive_(std::move(keep_alive)),
      sha256_(std::move(sha256)) {
  auto fail = [&](const std::string& why) {
    return Error::PluginLoad("plugin " + path_.string() + ": " + why);
  };
  if (d == nullptr) throw fail("the entry function returned no descriptor");
  if (d->abi_version != FLOWWEAVER_ABI_VERSION) {
    throw fail("built for plugin ABI version " + std::to_string(d->abi_version) +
               ", but this host speaks version " + std::to_string(FLOWWEAVER_ABI_VERSION) +
               "; rebuild it against this host's SDK");
  }
  if (d->struct_size < kMinPluginSize) throw fail("descriptor is too small (corrupt build?)");
  if (d->name == nullptr || *d->name == '\0') throw fail("descriptor has no plugin name");
  name_ = d->name;
  version_ = text_or_empty(d->version);
  if (d->num_task_types > 0 && d->task_types == nullptr)
    throw fail("descriptor lists no task types");
  uint32_t stride = d->num_task_types > 0 ? d->task_types[0].struct_size : 0;
  if (d->num_task_types > 0 && stride < kMinTaskTypeSize) {
    throw fail("task types have a bad struct_size (corrupt build?)");
  }
  std::set<std::string> seen;
  try {
    for (uint32_t i = 0; i < d->num_task_types; ++i) {
      TaskTypeInfo info = copy_task_type(element(d->task_types, stride, i));
      if (!seen.insert(info.name).second) {
        throw std::invalid_argument("task type '" + info.name + "' is declared twice");
      }
      task_types_.push_back(std::move(info));
    }
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  }
}

const TaskTypeInfo* LoadedPlugin::find_task_type(const std::string& type) const {
  for (const TaskTypeInfo& t : task_types_) {
    if (t.name == type) return &t;
  }
  return nullptr;
}

std::vector<std::string> LoadedPlugin::task_type_names() const {
  std::vector<std::string> names;
  for (const TaskTypeInfo& t : task_types_) names.push_back(t.name);
  return names;
}

std::shared_ptr<const LoadedPlugin> load_plugin(const std::filesystem::path& path,
                                                const std::filesystem::path& copy) {
  const std::filesystem::path& file = copy.empty() ? path : copy;
  auto fail = [&](const std::string& why) {
    return Error::PluginLoad("plugin " + path.string() + ": " + why);
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw fail("not a regular file");
  // A library's constructors run inside dlopen: refuse a file others could have changed first.
  if (!allow_insecure_plugins()) {
    if (std::optional<std::string> problem = insecure_plugin_reason(path)) {
      throw Error::PluginLoad("refused: " + *problem);
    }
  }
  std::string sha256;
  try {
    sha256 = sha256_of_file(file);
  } catch (const Error& e) {
    throw fail(e.what());
  }
  if (auto problem = check_elf_shared_object(file)) {
    throw fail("cannot be loaded as a shared library: " + *problem);
  }
  std::shared_ptr<boost::dll::shared_library> library;
  try {
    // rtld_now: an unresolved symbol fails here, not at the first call in the middle of a run.
    library = std::make_shared<boost::dll::shared_library>(
        boost::dll::fs::path(file.string()),
        boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw fail(std::string("cannot be loaded as a shared library: ") + e.what());
  }
  if (!library->has(FLOWWEAVER_ENTRY_SYMBOL)) {
    throw fail("has no '" FLOWWEAVER_ENTRY_SYMBOL
               "' symbol, so it is not a FlowWeaver plugin (build it with "
               "flowweaver_add_plugin or FLOWWEAVER_PLUGIN)");
  }
  auto entry = library->get<const fw_plugin*()>(FLOWWEAVER_ENTRY_SYMBOL);
  const fw_plugin* descriptor = entry();
  return std::make_shared<const LoadedPlugin>(descriptor, path, library, std::move(sha256), copy);
}

}  // namespace flowweaver
