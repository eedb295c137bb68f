#include "cli/command_registry.h"

#include <CLI/CLI.hpp>

#include "engine.h"

namespace flowweaver {

CLI::App* CommandRegistry::add(const std::string& name, const std::string& description,
                               CommandHandler handler) {
  CLI::App* command = app_.add_subcommand(name, description);
  commands_.emplace_back(command, std::move(handler));
  return command;
}

int CommandRegistry::run_chosen() const {
  for (const auto& [command, handler] : commands_) {
    if (command->parsed()) return handler();
  }
  return kExitInvalid;
}

}  // namespace flowweaver
