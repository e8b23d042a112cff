#pragma once
/// CAF inspectors for the types that cross nodes (registered with add_message_type on every node).
#include <caf/meta/type_name.hpp>

#include "net/http/api_types.hpp"

namespace onair::net::api {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_room& x) {
  return f(caf::meta::type_name("onair_cluster_room"), x.id, x.title, x.status, x.owner_node, x.origin_node);
}

}  // namespace onair::net::api
