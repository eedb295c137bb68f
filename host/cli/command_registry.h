// The subcommands of `flowweaver`: each is added by a function beside its own code (commands.h)
// that declares its options and help and hands over what to do once it is chosen. Adding a
// command touches that code, its line in command_line.cpp's list and the CMake source list.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace flowweaver {

// A chosen subcommand's work, run after the whole command line parsed; returns the exit code.
using CommandHandler = std::function<int()>;

class CommandRegistry {
 public:
  explicit CommandRegistry(CLI::App& app) : app_(app) {}

  // A new subcommand, listed by --help in the order added. The caller adds its options to it,
  // bound to storage that `handler` keeps alive (a shared_ptr it captures): CLI11 writes the
  // values during parsing, long after the adding function returned.
  CLI::App* add(const std::string& name, const std::string& description, CommandHandler handler);

  // Runs the handler of the subcommand that was parsed. Call only after a successful parse;
  // kExitInvalid if none was (the app requires one, so that is a usage error).
  int run_chosen() const;

 private:
  CLI::App& app_;
  std::vector<std::pair<CLI::App*, CommandHandler>> commands_;
};

}  // namespace flowweaver
