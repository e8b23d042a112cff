// A CAF client without credentials (issue #14 item 4): dials a node's CAF port in plain CAF, as anyone who
// reaches the port could, and tries what such a client could do before node links were authenticated:
// ask the cluster actor for the directory and hand it an admin token record. Exit 0 when the node
// refused the connection, 3 when the record went out (the hole is open). Used by test_link_auth.py.
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <iostream>

#include "actors/cluster_types.hpp"
#include "actors/messages.hpp"
#include "media/digest.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: caf_intruder HOST PORT TOKEN\n";
    return 2;
  }
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  onair::actors::add_cluster_types(cfg);
  caf::actor_system sys{cfg};
  auto cluster = sys.middleman().remote_actor(argv[1], static_cast<std::uint16_t>(std::stoi(argv[2])));
  if (!cluster) {
    std::cout << "refused: " << caf::to_string(cluster.error()) << "\n";
    return 0;
  }
  caf::scoped_actor self{sys};
  int rc = 1;
  self->request(*cluster, std::chrono::seconds(5), onair::actors::dir_atom::value)
      .receive(
          [&](const caf::actor& dir) {
            std::vector<onair::storage::token_record> forged{
                {"intruder", "admin", onair::media::sha256_hex(argv[3]), 0}};
            self->send(dir, onair::actors::token_atom::value, forged);
            std::cout << "delivered a token record\n";
            rc = 3;
          },
          [&](caf::error& err) { std::cout << "no directory: " << caf::to_string(err) << "\n"; });
  return rc;
}
