#include "actors/link_tls.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/openssl/manager.hpp>
#include <chrono>

#include "actors/file_util.hpp"
#include "media/cluster_tls.hpp"

namespace onair::actors {

namespace fs = std::filesystem;

std::string configure_link_tls(caf::actor_system_config& cfg, const node_options& opts, const fs::path& data_dir,
                               const std::string& node_id) {
  if (!opts.cluster_cert.empty()) {
    for (const auto& f : {opts.cluster_ca, opts.cluster_cert, opts.cluster_key})
      if (!fs::exists(f)) return "cannot read " + f;
    cfg.openssl_cafile = opts.cluster_ca;
    cfg.openssl_certificate = opts.cluster_cert;
    cfg.openssl_key = opts.cluster_key;
  } else {
    media::cluster_tls_pem pem;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    if (auto err = media::make_cluster_tls(opts.cluster_secret, node_id, now.count(), pem); !err.empty()) return err;
    const fs::path dir = data_dir / "cluster-tls";
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::owner_all, ec);
    const auto private_file = fs::perms::owner_read | fs::perms::owner_write;
    const auto public_file = private_file | fs::perms::group_read | fs::perms::others_read;
    if (!write_atomically(dir / "ca.pem", pem.ca_cert, public_file) ||
        !write_atomically(dir / "node.pem", pem.node_cert, public_file) ||
        !write_atomically(dir / "node.key", pem.node_key, private_file))
      return "cannot write the link certificates to " + dir.string();
    cfg.openssl_cafile = (dir / "ca.pem").string();
    cfg.openssl_certificate = (dir / "node.pem").string();
    cfg.openssl_key = (dir / "node.key").string();
  }
  // With a certificate set, CAF's OpenSSL sessions verify the peer and fail without one
  // (caf::openssl::manager::authentication_enabled).
  cfg.load<caf::openssl::manager>();
  return {};
}

}  // namespace onair::actors
