#pragma once
/// CLI commands that talk to a running node through its HTTP API (docs/cluster.md, "Drain").
#include <cstdint>
#include <string>

namespace onair::actors {

struct drain_command {
  std::string api = "http://127.0.0.1:8080";  ///< the node's HTTP base URL
  std::string token;                          ///< admin API token; empty = read DATA/admin.token
  std::string data_dir = "./data";            ///< where admin.token is when --token is not given
  std::string node = "self";                  ///< which node drains: the one reached, or another by id
  bool wait = false;                          ///< return only once the node stopped answering
  unsigned wait_timeout_s = 600;
};

/// `onair drain`: POST /api/nodes/{node}/drain, prints the answer; with --wait, polls /healthz until
/// the drained node is gone. Returns the process exit code (0, 1 for an error answer, 2 bad usage).
int run_drain(const drain_command& cmd);

}  // namespace onair::actors
