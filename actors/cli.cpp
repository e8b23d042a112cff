#include "actors/cli.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "actors/version.hpp"

namespace onair::actors {

int run_cli(int argc, char** argv) {
  CLI::App app{"onair: self-hosted live-streaming node (RTMP in, LL-HLS out)"};
  app.set_version_flag("--version", std::string("onair ") + version());
  app.require_subcommand(1);
  auto* node = app.add_subcommand("node", "run a node");
  (void)node;
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace onair::actors
