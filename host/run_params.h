// The values of a run's parameters (workflows/FORMAT.md, "Parameters"): given on the command
// line (--param, --param-file) or in an API request, checked against the manifest's
// declarations, and resolved once, when the run is created; the run keeps them (a resume uses
// the stored values, whatever the environment says by then).
//
// Every function here throws ParamsRefused listing all the problems, each naming the parameter
// and the fix, before anything runs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "manifest/validator.h"
#include "util/error.h"

namespace flowweaver {

// Parameters a run cannot start with: an Error of kind kInvalidArgument (exit code 2, HTTP 400),
// its own type so that callers tell it from other errors on the way.
class ParamsRefused : public Error {
 public:
  explicit ParamsRefused(const std::string& message)
      : Error(ErrorKind::kInvalidArgument, message) {}
};

// Where given values come from, for the fixes the messages suggest.
enum class ParamSource { kCommandLine, kApi };

// The values of `--param NAME=VALUE` (each parsed by the declared type) over those of
// `param_file` (a JSON object; "" for none): a --param wins.
nlohmann::json params_from_command_line(const Manifest& manifest,
                                        const std::vector<std::string>& assignments,
                                        const std::string& param_file);

// Checks values given as JSON: every name declared, every value of its type and in its enum.
void check_given_params(const Manifest& manifest, const nlohmann::json& given, ParamSource source);

// Every declared parameter's value for a new run: the given one, else its default with its
// references (${env.…}, ${manifest.dir}) resolved. A parameter with neither is refused.
nlohmann::json resolve_run_params(const Manifest& manifest, const nlohmann::json& given,
                                  const EnvLookup& env, ParamSource source);

// The parameters a resumed run goes on with: `stored`, those it was created with, never
// resolved again. Given values must equal the stored ones (else refused, naming both and the
// way out); a parameter declared since the run was created is resolved now, as for a new run.
nlohmann::json resume_run_params(const Manifest& manifest, const nlohmann::json& stored,
                                 const nlohmann::json& given, const std::string& run_id,
                                 const EnvLookup& env, ParamSource source);

}  // namespace flowweaver
