// flowweaver-serve: the same command line as flowweaver, with the service linked in. Started by
// `flowweaver serve` (main.cpp), which execs it with its own arguments.
#include "cli/command_line.h"

int main(int argc, char** argv) {
  return flowweaver::run_command_line(argc, argv, flowweaver::serve_command);
}
