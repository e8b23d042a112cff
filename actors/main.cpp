// onair: the node binary. Subcommands are parsed in cli.cpp.
#include "actors/cli.hpp"

int main(int argc, char** argv) { return onair::actors::run_cli(argc, argv); }
