#pragma once
/// The viewer-session actor of one chat WebSocket: identity (anonymous nick, chat JWT or API token),
/// role, and the per-connection rate limits. It joins its room's chat channel and forwards the frames
/// that pass; outbound frames do not pass through it (the channel writes to the connection's sink).
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <memory>

#include "actors/chat_options.hpp"
#include "net/chat/chat_handler.hpp"

namespace onair::actors {

struct node_metrics;

struct chat_session_deps {
  caf::actor directory;
  caf::actor storage;
  std::shared_ptr<const chat_options> opts;
  std::shared_ptr<node_metrics> metrics;
  /// Sessions link to it so node shutdown (its exit) ends them even when the connection's on_close can
  /// no longer arrive (the io threads stop first): the actor system waits for every actor.
  caf::actor supervisor;
};

/// Handles (cframe_atom, client_frame) and (leave_atom) from the connection (net/ via chat_gateway).
caf::actor spawn_chat_session(caf::actor_system& sys, net::chat::open_request req,
                              std::shared_ptr<net::chat::session_sink> sink, chat_session_deps deps);

/// Implements net's chat seam: one chat_session actor per accepted WebSocket.
class chat_gateway final : public net::chat::chat_handler {
 public:
  chat_gateway(caf::actor_system& sys, chat_session_deps deps) : sys_(sys), deps_(std::move(deps)) {}
  std::shared_ptr<net::chat::session_handler> on_open(net::chat::open_request req,
                                                      std::shared_ptr<net::chat::session_sink> sink) override;

 private:
  caf::actor_system& sys_;
  chat_session_deps deps_;
};

}  // namespace onair::actors
