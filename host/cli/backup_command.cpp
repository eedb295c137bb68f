// backup: a consistent copy of a state file, taken while runs may be writing to it; how the copy
// is made and kept whole is the state's own (state/state_backup.h).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/shared_options.h"
#include "engine.h"
#include "state/state_backup.h"
#include "util/error.h"
#include "util/printable.h"

namespace flowweaver {

int backup_command(const std::string& state_path, const std::string& dest) {
  try {
    StateBackup backup = back_up_state(state_path, dest);
    std::error_code ec;
    std::cout << "Backed up " << state_path << " to " << dest << ": " << backup.num_runs
              << " run(s), " << std::filesystem::file_size(dest, ec) << " bytes (" << backup.how
              << ")\n";
    return kExitOk;
  } catch (const Error& e) {
    std::cerr << "error: " << printable(e.what()) << "\n";
    return e.kind() == ErrorKind::kInvalidArgument ? kExitInvalid : kExitRuntime;
  }
}

void add_backup_command(CommandRegistry& commands) {
  struct Arguments {
    std::string state, dest;
  };
  auto args = std::make_shared<Arguments>();
  CLI::App* cmd =
      commands.add("backup", "Copy a state file consistently, even while a run writes to it",
                   [args] { return backup_command(args->state, args->dest); });
  add_state_option(cmd, &args->state)->required();
  cmd->add_option("DEST", args->dest, "The backup file to write (replaced atomically)")->required();
}

}  // namespace flowweaver
