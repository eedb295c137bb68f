// The shell plugin: `uses: shell.run` runs a command as a task. The command gets no shell
// unless `shell: true` asks for one, runs in a process group of its own, and is killed with
// that whole group when the task times out or the run stops.
//
// Output: {exit_code, stdout, stderr, stdout_truncated, stderr_truncated, values}, plus one
// field for `parse:` (text, lines or json; see stdout_parsing.h). Each stream keeps
// its first max_output bytes; the rest is read and dropped, and then `<stream>_truncated` is
// true (a flag rather than a marker inside the text, so that a dependent parsing stdout never
// sees bytes the command did not write). Bytes that are not UTF-8 become U+FFFD, since the
// output is JSON.
//
// `values` holds what the command wrote to the file named by $FLOWWEAVER_OUTPUT (key=value
// lines and key<<DELIMITER blocks, as in GitHub Actions; see output_values.h): a fresh file in a
// private directory for each attempt, removed after it. It is an empty object when nothing was
// written. A malformed file or stdout that `parse: json` cannot parse fails the attempt for good:
// running the same command again would write the same.
//
// Every line of stdout and stderr also goes to the task's log as it is written (level debug,
// prefixed "stdout: " or "stderr: "), whatever max_output keeps.
//
// A non-zero exit or a death by signal fails the attempt (retried per the task's policy),
// with the end of stderr in the error. A command that cannot start fails the task at once.
#include <signal.h>

#include <cstring>
#include <flowweaver/sdk.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "child_process.h"
#include "line_splitter.h"
#include "output_file.h"
#include "output_values.h"
#include "shell_params.h"
#include "utf8.h"

namespace flowweaver {
namespace {

// How much of the end of stderr a failure message quotes.
constexpr size_t kMaxQuotedLines = 3;
constexpr size_t kMaxQuotedBytes = 500;

// The last few non-empty lines of `text` (valid UTF-8), joined with " | " to stay one line.
std::string last_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t end = text.size();
  while (end > 0 && lines.size() < kMaxQuotedLines) {
    size_t begin = text.rfind('\n', end - 1);
    begin = begin == std::string_view::npos ? 0 : begin + 1;
    std::string_view line = text.substr(begin, end - begin);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.insert(lines.begin(), line);
    end = begin == 0 ? 0 : begin - 1;
  }
  std::string joined;
  for (std::string_view line : lines) joined += (joined.empty() ? "" : " | ") + std::string(line);
  size_t kept = utf8_suffix_length(joined, kMaxQuotedBytes);
  return kept < joined.size() ? "..." + joined.substr(joined.size() - kept) : joined;
}

std::string signal_name(int signal) {
  const char* abbreviation = sigabbrev_np(signal);
  return abbreviation ? std::string("SIG") + abbreviation : "unknown signal";
}

std::string failure_message(const CommandResult& result) {
  std::string message = result.signal != 0
                            ? "command killed by signal " + std::to_string(result.signal) + " (" +
                                  signal_name(result.signal) + ")"
                            : "command exited with status " + std::to_string(result.exit_code);
  std::string stderr_end = last_lines(to_valid_utf8(result.err.bytes));
  return stderr_end.empty() ? message : message + ": " + stderr_end;
}

void log_truncation(const Context& ctx, const char* stream, const CapturedOutput& output) {
  if (output.num_dropped_bytes == 0) return;
  ctx.log("warn", std::string(stream) + ": kept the first " + std::to_string(output.max_bytes) +
                      " bytes, dropped " + std::to_string(output.num_dropped_bytes));
}

// Each line of a stream, as it comes, into the task's log: at debug level, so that the task log
// (which keeps every level) has the whole output while the run's own log shows it only when
// asked to (--log-level debug).
LineSplitter::LineHandler line_logger(const Context& ctx, const char* stream) {
  return [&ctx, stream](std::string_view line) {
    ctx.log("debug", std::string(stream) + ": " + to_valid_utf8(line));
  };
}

std::string describe(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& word : argv) text += (text.empty() ? "" : " ") + word;
  return to_valid_utf8(text);
}

class RunCommand : public Task {
 public:
  Json run(Context& ctx) override {
    ShellParams params = parse_shell_params(ctx.params());
    OutputFile output_file;
    // Over any FLOWWEAVER_OUTPUT of `env:`: values are read from this file only.
    params.command.env["FLOWWEAVER_OUTPUT"] = output_file.path().string();
    ctx.log("debug", "running: " + describe(params.command.argv));
    LineSplitter out_lines(line_logger(ctx, "stdout"));
    LineSplitter err_lines(line_logger(ctx, "stderr"));
    CommandResult result = run_command(
        params.command, params.max_output_bytes, [&ctx] { return ctx.cancelled(); },
        [&out_lines](std::string_view data) { out_lines.append(data); },
        [&err_lines](std::string_view data) { err_lines.append(data); });
    out_lines.finish();
    err_lines.finish();
    if (result.cancelled) throw std::runtime_error("cancelled");
    log_truncation(ctx, "stdout", result.out);
    log_truncation(ctx, "stderr", result.err);
    if (result.signal != 0 || result.exit_code != 0) {
      throw std::runtime_error(failure_message(result));
    }
    Json output = {{"exit_code", result.exit_code},
                   {"stdout", to_valid_utf8(result.out.bytes)},
                   {"stderr", to_valid_utf8(result.err.bytes)},
                   {"stdout_truncated", result.out.num_dropped_bytes > 0},
                   {"stderr_truncated", result.err.num_dropped_bytes > 0},
                   {"values", parse_output_values(output_file.read())}};
    if (const char* field = stdout_parse_field(params.parse)) {
      output[field] = parse_stdout(params.parse, result.out.bytes, result.out.num_dropped_bytes);
    }
    return output;
  }
};

}  // namespace
}  // namespace flowweaver

FLOWWEAVER_PLUGIN(shell, "1.0.0") {
  using flowweaver::Json;
  using flowweaver::ParamType;
  plugin.task<flowweaver::RunCommand>("run", "Runs a command; fails unless it exits with status 0")
      .required("command", ParamType::Any,
                "argv list, e.g. [ls, -l]; with shell: true a /bin/sh script (string, or "
                "list of script then its $1, $2, ...)")
      .optional("shell", ParamType::Boolean, false, "Run command with /bin/sh -c")
      .optional("env", ParamType::Object, Json::object(),
                "Variables added to (or replacing) the inherited environment, which lacks the "
                "host's FLOWWEAVER_SECRET_* variables: give a secret as ${secrets.NAME}")
      .optional("cwd", ParamType::String, "", "Working directory (default: the host's)")
      .optional("max_output", ParamType::Integer, 1048576,
                "Bytes kept per stream; the rest is dropped and <stream>_truncated set")
      .optional("parse", ParamType::String, "none",
                "none, text, lines or json: stdout also as output.text (without its last "
                "newline), output.lines (a list) or output.json (parsed; not JSON fails for "
                "good)");
}
