#pragma once
/// Credentials for the node-to-node CAF links (docs/cluster.md, "Node links"): every node derives the same
/// cluster CA from the cluster secret, so a peer that does not know the secret cannot present a
/// certificate the others accept, and each node gets its own certificate signed by that CA. The CA's
/// Ed25519 key is HMAC-SHA256(secret, label): the secret stays the one thing an operator distributes, as
/// for gossip (whose HMAC uses the same secret under another label).
#include <cstdint>
#include <string>
#include <string_view>

namespace onair::media {

/// PEM texts for OpenSSL (CAF's openssl.cafile, openssl.certificate, openssl.key).
struct cluster_tls_pem {
  std::string ca_cert;
  std::string node_cert;
  std::string node_key;  ///< this node's fresh private key: write it with owner-only permissions
};

/// Makes the cluster CA certificate (the same key and name on every node of the cluster) and a new key and
/// certificate for `node_id`, valid from `now_s` (Unix seconds; given, not read, so this stays free of
/// the wall clock) for ten years. Returns an error message, or "" on success.
std::string make_cluster_tls(std::string_view cluster_secret, std::string_view node_id, std::int64_t now_s,
                             cluster_tls_pem& out);

}  // namespace onair::media
