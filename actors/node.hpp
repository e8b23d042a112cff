#pragma once
/// One onair node: storage, the actor system with its node-level actors, and the RTMP/HTTP listeners.
#include <string>

#include "actors/node_options.hpp"

namespace onair::actors {

/// Runs a node until SIGINT or SIGTERM, then shuts down in order (stop accepting publishers, let every
/// room make its state durable, stop HTTP, stop actors). Returns the process exit code.
int run_node(const node_options& opts);

/// Creates an API token in the node's data dir and prints it. The node must not be running on that data
/// dir (RocksDB holds a lock); returns the exit code.
int create_token(const std::string& data_dir, const std::string& role, const std::string& name);

/// Prints a chat JWT (HS256 with DATA/chat.secret) for `sub`; works while the node runs.
int mint_chat_jwt(const std::string& data_dir, const std::string& sub, const std::string& name, const std::string& role,
                  long ttl_s);

}  // namespace onair::actors
