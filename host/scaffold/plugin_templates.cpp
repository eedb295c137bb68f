// The templates are plain text in raw strings, so each reads here as the file it becomes.
#include "scaffold/plugin_templates.h"

namespace flowweaver::templates {

const char* const kCMakeLists =
    R"tmpl(# The @NAME@ FlowWeaver plugin, built against an installed FlowWeaver: README.md has the
# commands, FlowWeaver's docs/plugin-guide.md the details.
cmake_minimum_required(VERSION 3.25)
project(@NAME@ LANGUAGES @LANGUAGE@)

# FlowWeaver's SDK: headers and flowweaver_add_plugin(). Give CMake its install prefix with
# -DCMAKE_PREFIX_PATH=<prefix> when it is not a standard one.
find_package(FlowWeaverSDK REQUIRED)

# Builds @NAME@.so, exporting only the plugin's entry symbol and refusing undefined symbols.
flowweaver_add_plugin(@NAME@ @SOURCE@)

# `cmake --install build` deploys @NAME@.so into the plugin directory of the FlowWeaver found
# above. It copies the file to a hidden name there and renames it into place: a host that has
# the old version loaded could crash if that file were overwritten in place, and no command
# ever loads a half-written one.
install(CODE "
  set(dir \"${FLOWWEAVER_PLUGIN_INSTALL_DIR}\")
  file(COPY_FILE \"$<TARGET_FILE:@NAME@>\" \"\${dir}/.@NAME@.so.new\")
  file(RENAME \"\${dir}/.@NAME@.so.new\" \"\${dir}/@NAME@.so\")
  message(STATUS \"Deployed: \${dir}/@NAME@.so\")
")
)tmpl";

const char* const kCppSource =
    R"tmpl(// The @NAME@ FlowWeaver plugin: one task type, @NAME@.greet, to grow from. The reference for
// every call is the SDK header, flowweaver/sdk.hpp; FlowWeaver's docs/plugin-guide.md explains.
#include <flowweaver/sdk.hpp>

#include <string>

// A new Greet is made for every call, so members need no locking; calls may run at once on
// several threads, so anything shared between them (statics, caches) must be thread-safe.
class Greet : public flowweaver::Task {
 public:
  flowweaver::Json run(flowweaver::Context& ctx) override {
    std::string who = ctx.param<std::string>("who");  // from `with:`, or its declared default
    if (who.empty()) {
      // Another attempt would fail the same way: fail the task at once. Any other exception
      // fails only this attempt, and the host retries per the task's `retries`.
      throw flowweaver::PermanentError(ctx.who() + ": `who` must not be empty");
    }
    ctx.log("info", "greeting " + who);
    return {{"greeting", "hello " + who}};  // the task's output, stored and passed downstream
  }
};

// The plugin's name in manifests (`uses: @NAME@.greet`) and its version, which
// `flowweaver plugins` shows. The body runs once, when a host loads the plugin.
FLOWWEAVER_PLUGIN(@NAME@, "0.1.0") {
  plugin.task<Greet>("greet", "Says hello to someone")
      .optional("who", flowweaver::ParamType::String, "world", "Who to greet");
}
)tmpl";

const char* const kCSource =
    R"tmpl(/* The @NAME@ FlowWeaver plugin in C, written against the C ABI alone (flowweaver/plugin.h,
 * whose comments are the reference; "Writing a plugin in C" in FlowWeaver's
 * docs/plugin-guide.md explains). One task type, @NAME@.greet, to grow from: its output is
 * {"greeting": "hello", "with": <the task's resolved `with:`>}. */
#include <flowweaver/plugin.h>
#include <stdlib.h>
#include <string.h>

/* Ends a call in failure. FW_OUTCOME_RETRYABLE fails this attempt and the host retries per the
 * task's `retries`; FW_OUTCOME_PERMANENT fails the task at once. */
static fw_outcome fail(const fw_call* call, fw_outcome outcome, const char* message) {
  call->host->set_error(call->host->host_data, message, strlen(message));
  return outcome;
}

/* May run on several host threads at once; everything the host passes is valid only until it
 * returns, and set_output copies what it is given. */
static fw_outcome greet(const void* task_data, const fw_call* call) {
  static const char kLog[] = "greeting";
  static const char kStart[] = "{\"greeting\":\"hello\",\"with\":";
  const fw_host* host = call->host;
  size_t size = sizeof kStart - 1 + call->params_len + 1;
  char* json = malloc(size);
  (void)task_data;
  if (json == NULL) return fail(call, FW_OUTCOME_RETRYABLE, "out of memory");
  host->log(host->host_data, FW_LOG_INFO, kLog, sizeof kLog - 1);
  /* params_json is valid JSON (the host checked it, defaults filled in): spliced in as is. */
  memcpy(json, kStart, sizeof kStart - 1);
  memcpy(json + sizeof kStart - 1, call->params_json, call->params_len);
  json[size - 1] = '}';
  host->set_output(host->host_data, json, size);
  free(json);
  return FW_OUTCOME_OK;
}

/* The descriptor and everything it points to must stay valid while the library is loaded:
 * static constants do. */
static const fw_param kGreetParams[] = {
    {sizeof(fw_param), "who", "string", 0, "\"world\"", "Who to greet"},
};

static const fw_task_type kTaskTypes[] = {
    {sizeof(fw_task_type), "greet", "Says hello; returns the `with:` it was given", kGreetParams,
     sizeof kGreetParams / sizeof kGreetParams[0], 0, greet, NULL},
};

/* The plugin's name in manifests (`uses: @NAME@.greet`) and its version, which
 * `flowweaver plugins` shows. */
static const fw_plugin kPlugin = {
    FLOWWEAVER_ABI_VERSION, sizeof(fw_plugin), "@NAME@", "0.1.0",
    kTaskTypes,             sizeof kTaskTypes / sizeof kTaskTypes[0],
};

/* The one exported symbol: flowweaver_add_plugin hides everything not marked FW_PLUGIN_EXPORT. */
FW_PLUGIN_EXPORT const fw_plugin* flowweaver_plugin_entry(void) { return &kPlugin; }
)tmpl";

const char* const kManifest =
    R"tmpl(# Runs @NAME@.greet once: `flowweaver run @NAME@.yaml` once the plugin is deployed (README.md).
# The run's state, the task's output included, goes to var/@NAME@_example.db.
name: @NAME@_example
tasks:
  - name: greet
    uses: @NAME@.greet
    with: {who: FlowWeaver}
)tmpl";

const char* const kReadme = R"tmpl(# @NAME@

A FlowWeaver plugin in @LANGUAGE_NAME@, made by `flowweaver new-plugin`. It gives manifests one
task type, `@NAME@.greet`, which takes one parameter, `who` (a string, default `world`).

## Build, deploy, run

```sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=@PREFIX_WORD@ && cmake --build build
cmake --install build
flowweaver run @NAME@.yaml
```

1. Builds `build/@NAME@.so` (needs CMake 3.25 or newer, a @LANGUAGE_NAME@ compiler and
   nlohmann_json 3) against the FlowWeaver installed in `@PREFIX@`.
2. Deploys it into that FlowWeaver's plugin directory, where every `flowweaver` command and the
   service find it: a copy renamed into place, safe while hosts run (use `sudo` if that
   directory is not yours). Commands started afterwards use the new version.
3. Runs the example manifest, `@NAME@.yaml`. `flowweaver status @NAME@.yaml` shows the run;
   the task's output is in `var/@NAME@_example.db`.

To try a build before deploying it, point commands at the build directory:

```sh
flowweaver plugins --describe @NAME@ --plugin-dir build
flowweaver run @NAME@.yaml --plugin-dir build
```

## Next

- Rename `greet`, give it the parameters it needs (`flowweaver validate` checks every manifest
  against them) and raise the version in `@SOURCE@` when you deploy a change.
- FlowWeaver's `docs/plugin-guide.md`: parameters and their types, what a task can ask of the
  host, which failures are retried, threads and ownership, writing a plugin in C.
)tmpl";

const char* const kGitignore = R"tmpl(build/
var/
)tmpl";

}  // namespace flowweaver::templates
