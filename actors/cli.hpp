#pragma once
/// Command line of the onair binary: `onair node ...`, `onair token create ...`, --help, --version.
namespace onair::actors {
/// Parses argv and runs the chosen subcommand; returns the process exit code.
int run_cli(int argc, char** argv);
}
