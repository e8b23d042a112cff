#include "actors/remote_commands.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "net/http/client.hpp"

namespace onair::actors {

namespace {

std::string read_token(const std::string& data_dir) {
  std::ifstream in(data_dir + "/admin.token");
  std::string t;
  std::getline(in, t);
  return t;
}

}  // namespace

int run_drain(const drain_command& cmd) {
  net::http::client_request req;
  if (!net::http::parse_base_url(cmd.api, req.host, req.port)) {
    std::cerr << "onair: --api must be http://host:port, got '" << cmd.api << "'\n";
    return 2;
  }
  req.bearer_token = cmd.token.empty() ? read_token(cmd.data_dir) : cmd.token;
  if (req.bearer_token.empty()) {
    std::cerr << "onair: no admin token (give --token, or --data-dir of the node for DATA/admin.token)\n";
    return 2;
  }
  req.method = "POST";
  req.target = "/api/nodes/" + cmd.node + "/drain";
  net::http::client_response res;
  if (auto err = net::http::fetch(req, res); !err.empty()) {
    std::cerr << "onair: " << err << "\n";
    return 1;
  }
  std::cout << res.body << "\n";
  if (res.status != 202) return 1;
  if (!cmd.wait) return 0;
  if (cmd.node != "self") {
    // Another node was drained through this one: its own API is not known here; it shows in
    // /api/cluster until it has left.
    std::cerr << "onair: --wait needs the drained node's own --api\n";
    return 2;
  }
  // The node exits once it holds nothing (docs/cluster.md, "Drain"): wait until it stops answering.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(cmd.wait_timeout_s);
  req.method = "GET";
  req.target = "/healthz";
  req.timeout = std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    if (!net::http::fetch(req, res).empty()) {
      std::cerr << "onair: the node has drained and stopped\n";
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::cerr << "onair: the node still answers after " << cmd.wait_timeout_s << " s\n";
  return 1;
}

}  // namespace onair::actors
