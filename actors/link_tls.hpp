#pragma once
/// TLS on the node-to-node CAF links (issue #14 item 4, docs/cluster.md "Node links"): CAF's OpenSSL
/// module with mutual certificate authentication, so a peer that is not a node of this cluster gets no
/// message processed: not a raw TCP client, not a CAF client without a certificate, not a node of
/// another cluster (a CA made from another secret).
#include <caf/fwd.hpp>
#include <filesystem>
#include <string>

#include "actors/node_options.hpp"

namespace onair::actors {

/// Loads CAF's OpenSSL module into `cfg` with this node's credentials: the operator's PEM files when
/// given, else a CA derived from the cluster secret and a fresh certificate for `node_id`, written to
/// DATA/cluster-tls/ (owner-only). Returns an error message, or "" on success.
std::string configure_link_tls(caf::actor_system_config& cfg, const node_options& opts,
                               const std::filesystem::path& data_dir, const std::string& node_id);

}  // namespace onair::actors
