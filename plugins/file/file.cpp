// The file plugin: file.copy, file.move, file.delete, file.glob, file.checksum and the sensor
// file.wait_for. Every path in `with:` is used as given: a relative one is relative to the
// host's working directory. Failures a retry could cure (a busy file, a full disk, a timed-out
// wait) are retryable; those it could not (a missing source, an existing destination, no
// permission) fail the task at once. docs/task-types.md, "file.*", is the user's reference.
#include <chrono>
#include <flowweaver/sdk.hpp>
#include <string>

#include "file_checksum.h"
#include "file_copy.h"
#include "file_delete.h"
#include "file_glob.h"
#include "file_move.h"
#include "path_waiter.h"

namespace flowweaver {
namespace {

// A path parameter: a non-empty string without NUL (which the OS would cut the path at).
std::string path_param(const Context& ctx, const std::string& name) {
  std::string path = ctx.param<std::string>(name);
  if (path.empty()) {
    throw PermanentError(ctx.who() + ": parameter '" + name + "' is empty: give a path");
  }
  if (path.find('\0') != std::string::npos) {
    throw PermanentError(ctx.who() + ": parameter '" + name + "' contains a NUL character");
  }
  return path;
}

std::function<bool()> cancellation_of(const Context& ctx) {
  return [&ctx] { return ctx.cancelled(); };
}

class CopyTask : public Task {
 public:
  Json run(Context& ctx) override {
    std::string source = path_param(ctx, "source");
    std::string destination = path_param(ctx, "destination");
    CopyOptions options;
    options.overwrite = ctx.param<bool>("overwrite");
    options.recursive = ctx.param<bool>("recursive");
    options.cancelled = cancellation_of(ctx);
    CopyStats stats = copy_path(source, destination, options);
    ctx.log("info", "copied " + source + " to " + destination + " (" +
                        std::to_string(stats.num_files) + " file(s), " +
                        std::to_string(stats.num_bytes) + " bytes)");
    return {{"source", source},
            {"destination", destination},
            {"files", stats.num_files},
            {"bytes", stats.num_bytes},
            {"already_there", stats.already_there}};
  }
};

class MoveTask : public Task {
 public:
  Json run(Context& ctx) override {
    std::string source = path_param(ctx, "source");
    std::string destination = path_param(ctx, "destination");
    MoveResult result =
        move_path(source, destination, ctx.param<bool>("overwrite"), cancellation_of(ctx));
    ctx.log("info", "moved " + source + " to " + destination +
                        (result.across_filesystems ? " (copied across filesystems)" : ""));
    return {{"source", source},
            {"destination", destination},
            {"across_filesystems", result.across_filesystems},
            {"already_there", result.already_there}};
  }
};

class DeleteTask : public Task {
 public:
  Json run(Context& ctx) override {
    std::string path = ctx.param<std::string>("path");  // delete_path refuses "" itself
    DeleteResult result =
        delete_path(path, ctx.param<bool>("recursive"), ctx.param<bool>("missing_ok"));
    ctx.log("info", result.deleted ? "deleted " + path : path + " did not exist");
    return {{"path", path}, {"deleted", result.deleted}, {"removed", result.num_removed}};
  }
};

class GlobTask : public Task {
 public:
  Json run(Context& ctx) override {
    std::string pattern = ctx.param<std::string>("pattern");
    std::vector<std::string> matches = glob_paths(pattern);
    return {{"pattern", pattern}, {"matches", matches}, {"count", matches.size()}};
  }
};

class ChecksumTask : public Task {
 public:
  Json run(Context& ctx) override {
    std::string path = path_param(ctx, "path");
    std::string expected = ctx.param<std::string>("expected");
    if (!expected.empty()) expected = expected_sha256(expected);
    Checksum sum = sha256_of(path, cancellation_of(ctx));
    if (!expected.empty() && sum.sha256 != expected) {
      // The same bytes would hash the same on every attempt.
      throw PermanentError("checksum mismatch for '" + path + "': expected sha256 " + expected +
                           ", got " + sum.sha256);
    }
    return {{"path", path}, {"sha256", sum.sha256}, {"bytes", sum.num_bytes}};
  }
};

class WaitForTask : public Task {
 public:
  Json run(Context& ctx) override {
    std::string path = path_param(ctx, "path");
    WaitOptions options{ctx.duration_param("settle"), ctx.duration_param("timeout"),
                        ctx.duration_param("poll_interval")};
    if (options.poll_interval.count() <= 0) {
      throw PermanentError(ctx.who() + ": parameter 'poll_interval' must be longer than 0");
    }
    PathWaiter waiter([] { return PathWaiter::Clock::now(); },
                      [&ctx](std::chrono::milliseconds pause) { return ctx.sleep_for(pause); });
    WaitOutcome outcome = waiter.wait(path, options);
    ctx.log("info", path + " is ready after " + std::to_string(outcome.waited.count()) + "ms");
    return {{"path", path}, {"size", outcome.state.size}, {"waited_ms", outcome.waited.count()}};
  }
};

}  // namespace
}  // namespace flowweaver

FLOWWEAVER_PLUGIN(file, "1.0.0") {
  using flowweaver::ParamType;
  plugin
      .task<flowweaver::CopyTask>(
          "copy",
          "Copies a file (or with recursive a directory) through a temporary "
          "name, fsync and rename; keeps permissions")
      .required("source", ParamType::String, "The file or directory to copy")
      .required("destination", ParamType::String,
                "The path of the copy itself (not a directory to copy into); its directory "
                "must exist")
      .optional("overwrite", ParamType::Boolean, false,
                "Replace an existing destination (a file by a file, a directory by a directory)")
      .optional("recursive", ParamType::Boolean, false, "Copy a directory with everything in it");
  plugin
      .task<flowweaver::MoveTask>("move",
                                  "Renames a path; across filesystems copies (temporary name, "
                                  "fsync, rename) then deletes the source")
      .required("source", ParamType::String, "The file, link or directory to move")
      .required("destination", ParamType::String,
                "The new path itself (not a directory to move into); its directory must exist")
      .optional("overwrite", ParamType::Boolean, false,
                "Replace an existing destination (a file by a file, a directory by a directory)");
  plugin
      .task<flowweaver::DeleteTask>("delete",
                                    "Deletes a file, link or (with recursive) directory tree; "
                                    "refuses '/' and the empty path")
      .required("path", ParamType::String, "What to delete; a link is deleted, not its target")
      .optional("recursive", ParamType::Boolean, false,
                "Needed to delete a directory, with everything in it")
      .optional("missing_ok", ParamType::Boolean, true,
                "A path that does not exist is success (output deleted: false); false fails "
                "for good");
  plugin.task<flowweaver::GlobTask>("glob", "Lists the paths matching a glob(3) pattern, sorted")
      .required("pattern", ParamType::String,
                "POSIX glob: *, ? and [...] within one path component (no ** or {a,b})");
  plugin
      .task<flowweaver::ChecksumTask>("checksum",
                                      "SHA-256 of a file; fails for good when it is not `expected`")
      .required("path", ParamType::String, "The file to hash")
      .optional("expected", ParamType::String, "",
                "A SHA-256 in hex the file must have (empty: no check)");
  plugin
      .task<flowweaver::WaitForTask>("wait_for",
                                     "Waits until a path exists and its size and mtime have not "
                                     "changed for `settle`; ends at once when cancelled")
      .required("path", ParamType::String, "The file or directory to wait for")
      .optional("settle", ParamType::Duration, "2s",
                "How long the path must stay unchanged to count as written (0s: as soon as "
                "it exists)")
      .optional("timeout", ParamType::Duration, "10m",
                "Give up after this long (a retryable failure; each attempt waits again)")
      .optional("poll_interval", ParamType::Duration, "1s", "How often to look");
}
