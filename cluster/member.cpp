#include "cluster/member.hpp"

namespace onair::cluster {

const char* to_string(member_state s) {
  switch (s) {
    case member_state::alive: return "alive";
    case member_state::suspect: return "suspect";
    case member_state::dead: return "dead";
    case member_state::left: return "left";
  }
  return "unknown";
}

}  // namespace onair::cluster
