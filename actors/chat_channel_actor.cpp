#include "actors/chat_channel_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <chrono>
#include <deque>
#include <spdlog/spdlog.h>
#include <unordered_map>

#include "actors/chat_rules.hpp"
#include "actors/cluster_types.hpp"
#include "actors/messages.hpp"
#include "actors/node_metrics.hpp"
#include "actors/room_rules.hpp"
#include "actors/token_bucket.hpp"
#include "net/chat/fanout_group.hpp"

namespace onair::actors {

namespace {

using namespace std::chrono_literals;
using net::chat::session_sink;
using prio = session_sink::priority;
constexpr auto storage_timeout = 10s;

struct member {
  std::shared_ptr<session_sink> sink;
  net::chat::user_info user;
  bool remote = false;  ///< a connection on another node: reached through its relay, never in broadcasts
  bool relay = false;   ///< a relay itself: one broadcast per node (docs/cluster.md, "Chat relay")
};

/// The sink of a connection held by a chat relay on another node (conn 0: the relay's broadcast
/// channel). Frames travel as their text; the relay renders them into one shared buffer for its members.
class relay_sink final : public session_sink {
 public:
  relay_sink(caf::actor relay, std::uint64_t conn) : relay_(std::move(relay)), conn_(conn) {}
  bool send(media::shared_bytes frame, priority p) override {
    if (!frame) return false;
    caf::anon_send(relay_, rframe_atom::value, conn_, std::string(frame->begin(), frame->end()),
                   p == priority::droppable);
    return true;
  }
  void close(std::uint16_t code, std::string reason) override {
    caf::anon_send(relay_, rclose_atom::value, conn_, code, std::move(reason));
  }
  /// Sent the same way as frames, so it arrives after the history frame that precedes it.
  void go_live() { caf::anon_send(relay_, rlive_atom::value, conn_); }

 private:
  caf::actor relay_;
  std::uint64_t conn_;
};

/// Per relay: its pseudo-member id and the ids given to its connections here.
struct relay_info {
  caf::actor actor;
  std::uint64_t member_id = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> conns;  ///< relay's conn id -> member id here
};

struct pending_message {
  net::chat::chat_message msg;
  std::uint64_t conn = 0;
  std::string client_id;
};

struct channel_state {
  std::string room;
  std::shared_ptr<const chat_options> opts;
  caf::actor storage;
  std::shared_ptr<node_metrics> metrics;
  std::unordered_map<std::uint64_t, member> members;
  net::chat::fanout_group fanout;  ///< the members' sinks, grouped per io thread for broadcast()
  std::uint64_t first_seq = 0;  ///< oldest retained in storage (0 = none)
  std::uint64_t last_seq = 0;   ///< last sequence number handed out
  std::uint64_t durable_seq = 0;  ///< last sequence number known to be in storage
  std::deque<net::chat::chat_message> recent;  ///< last history_on_join messages (durable, not deleted)
  storage::chat_moderation mod;
  std::vector<pending_message> pending;        ///< accepted, waiting for the next group commit
  bool writing = false;
  bool moving = false;  ///< the owner changed: the last writes finish and are acknowledged, nothing new is taken
  std::unordered_map<std::string, token_bucket> user_buckets;
  std::unordered_map<std::string, std::int64_t> last_post_ms;  ///< slow mode, per user
  std::map<std::string, std::uint64_t> reactions;
  bool reaction_timer = false;
  bool presence_timer = false;
  std::uint64_t presence_sent = ~std::uint64_t{0};
  std::uint64_t since_trim = 0;
  std::unordered_map<caf::actor_addr, relay_info> relays;
  /// Ids for relayed connections and relays: above any local connection id (those count up from 1).
  std::uint64_t next_remote_id = std::uint64_t{1} << 62;
  /// Viewers in the room: local and relayed connections, not the relays themselves.
  std::uint64_t audience() const { return members.size() - relays.size(); }
};

using channel_actor = caf::stateful_actor<channel_state>;

media::shared_bytes frame(std::string text) {
  return media::make_shared_bytes(std::vector<std::uint8_t>(text.begin(), text.end()));
}

/// To every local member and once to every relay (relayed connections are not in the fan-out group).
void broadcast(channel_state& st, const media::shared_bytes& f, prio p) { st.fanout.send_all(f, p); }

void send_to(channel_state& st, std::uint64_t conn, std::string text, prio p = prio::normal) {
  if (auto it = st.members.find(conn); it != st.members.end()) it->second.sink->send(frame(std::move(text)), p);
}

net::chat::chat_message to_message(const storage::chat_record& r) {
  return {r.seq, r.ts_ms, {r.user_id, r.user_name, r.user_role}, r.text};
}

storage::chat_record to_record(const net::chat::chat_message& m) {
  return {m.seq, m.ts_ms, m.user.id, m.user.name, m.user.role, m.text, false};
}

/// Presence goes out at most once per presence_interval, and only when the count changed.
void presence_changed(channel_actor* self) {
  auto& st = self->state;
  if (st.presence_timer) return;
  st.presence_timer = true;
  self->delayed_send(self, std::chrono::milliseconds(st.opts->presence_interval_ms), presence_atom::value);
}

void persist_moderation(channel_actor* self) {
  auto room = self->state.room;
  self->request(self->state.storage, storage_timeout, mod_put_atom::value, room, self->state.mod)
      .then([]() {}, [room](caf::error& err) {
        spdlog::error("chat {}: moderation state not saved: {}", room, caf::to_string(err));
      });
}

/// Group commit: everything accepted while the previous write was in flight goes in one synced batch.
void flush_pending(channel_actor* self) {
  auto& st = self->state;
  if (st.writing || st.pending.empty()) return;
  st.writing = true;
  auto batch = std::make_shared<std::vector<pending_message>>(std::move(st.pending));
  st.pending.clear();
  std::vector<storage::chat_record> records;
  records.reserve(batch->size());
  for (auto& p : *batch) records.push_back(to_record(p.msg));
  self->request(st.storage, storage_timeout, chat_app_atom::value, st.room, std::move(records))
      .then(
          [=]() {
            auto& st = self->state;
            st.writing = false;
            for (auto& p : *batch) {
              // Durable now: broadcast (rendered once, shared by every member) and acknowledge.
              broadcast(st, frame(net::chat::render_message(p.msg)), prio::normal);
              send_to(st, p.conn, net::chat::render_ack(p.client_id, p.msg.seq));
              if (st.first_seq == 0) st.first_seq = p.msg.seq;
              st.durable_seq = p.msg.seq;
              st.recent.push_back(p.msg);
              if (st.recent.size() > st.opts->history_on_join) st.recent.pop_front();
            }
            st.metrics->chat_messages += batch->size();
            st.since_trim += batch->size();
            if (st.since_trim >= 256) {  // retention, amortized
              st.since_trim = 0;
              auto min_ts = st.opts->retention_age_s > 0 ? now_ms() - st.opts->retention_age_s * 1000 : 0;
              self->send(st.storage, chat_trim_atom::value, st.room, std::uint64_t{st.opts->retention_count}, min_ts);
              self->request(st.storage, storage_timeout, chat_bnd_atom::value, st.room)
                  .then([=](std::uint64_t first, std::uint64_t) { self->state.first_seq = first; },
                        [](caf::error&) {});
            }
            flush_pending(self);
          },
          [=](caf::error& err) {
            // Not durable: never acknowledged. The numbers stay used (never reused), the senders learn.
            auto& st = self->state;
            st.writing = false;
            spdlog::error("chat {}: {} messages not stored: {}", st.room, batch->size(), caf::to_string(err));
            for (auto& p : *batch)
              send_to(st, p.conn, net::chat::render_error("not_stored", "the message could not be stored; resend it"));
            flush_pending(self);
          });
}

const member* find_member(channel_state& st, std::uint64_t conn) {
  auto it = st.members.find(conn);
  return it == st.members.end() ? nullptr : &it->second;
}

std::string target_role(channel_state& st, const std::string& user_id) {
  for (auto& [id, m] : st.members)
    if (m.user.id == user_id) return m.user.role;
  for (auto& m : st.recent)
    if (m.user.id == user_id) return m.user.role;
  return "viewer";
}

void on_msg(channel_actor* self, std::uint64_t conn, const net::chat::msg_frame& f) {
  auto& st = self->state;
  const member* m = find_member(st, conn);
  if (!m) return;
  if (st.moving) {
    send_to(st, conn, net::chat::render_error("unavailable", "the room's chat is moving to another node; resend it "
                                                             "after reconnecting"));
    return;
  }
  const auto now = now_ms();
  if (is_muted(st.mod, m->user.id, now)) {
    send_to(st, conn, net::chat::render_error("muted", "you are muted in this room"));
    return;
  }
  if (auto err = check_message_text(f.text, st.opts->max_message_chars); !err.empty()) {
    send_to(st, conn, net::chat::render_error(err, err == "message_too_long"
                                                       ? "messages are limited to " +
                                                             std::to_string(st.opts->max_message_chars) + " characters"
                                                       : "empty message"));
    return;
  }
  if (st.mod.slow_mode_s > 0 && !may_moderate(m->user)) {
    auto& last = st.last_post_ms[m->user.id];
    if (last != 0 && now - last < static_cast<std::int64_t>(st.mod.slow_mode_s) * 1000) {
      send_to(st, conn, net::chat::render_error("slow_mode", "slow mode: one message every " +
                                                                 std::to_string(st.mod.slow_mode_s) + " s"));
      return;
    }
    last = now;
  }
  auto [it, fresh] = st.user_buckets.try_emplace(m->user.id, st.opts->user_msgs_burst, st.opts->user_msgs_per_s);
  if (!it->second.take(now)) {
    send_to(st, conn, net::chat::render_error("rate_limited", "too many messages from this user; slow down"));
    return;
  }
  pending_message p;
  p.msg = {++st.last_seq, now, m->user, f.text};
  p.conn = conn;
  p.client_id = f.client_id;
  st.pending.push_back(std::move(p));
  flush_pending(self);
}

void on_reaction(channel_actor* self, std::uint64_t conn, const net::chat::reaction_frame& f) {
  auto& st = self->state;
  if (!find_member(st, conn)) return;
  const auto& allowed = st.opts->reactions;
  if (std::find(allowed.begin(), allowed.end(), f.emoji) == allowed.end()) {
    send_to(st, conn, net::chat::render_error("unknown_reaction", "this reaction is not offered in this room"));
    return;
  }
  ++st.reactions[f.emoji];
  if (!st.reaction_timer) {  // aggregated: one frame per flush interval, never one per reaction
    st.reaction_timer = true;
    self->delayed_send(self, std::chrono::milliseconds(st.opts->reaction_flush_ms), flush_atom::value);
  }
}

void on_moderation(channel_actor* self, std::uint64_t conn, const net::chat::client_frame& f) {
  auto& st = self->state;
  const member* m = find_member(st, conn);
  if (!m) return;
  const auto who = m->user;
  auto deny = [&](const char* why) { send_to(st, conn, net::chat::render_error("forbidden", why)); };
  if (auto* d = std::get_if<net::chat::delete_frame>(&f)) {
    // Moderators delete anything; anyone may delete their own message.
    bool own = std::any_of(st.recent.begin(), st.recent.end(),
                           [&](auto& r) { return r.seq == d->seq && r.user.id == who.id; });
    if (!may_moderate(who) && !own) return deny("only moderators, the DJ and admins may delete others' messages");
    auto seq = d->seq;
    self->request(st.storage, storage_timeout, chat_del_atom::value, st.room, seq)
        .then(
            [=]() {
              auto& st = self->state;
              std::erase_if(st.recent, [&](auto& r) { return r.seq == seq; });
              broadcast(st, frame(net::chat::render_deleted(seq, who.id)), prio::normal);
            },
            [=](caf::error&) { send_to(self->state, conn, net::chat::render_error("not_found", "no such message")); });
    return;
  }
  if (!may_moderate(who)) return deny("only moderators, the DJ and admins may moderate");
  auto check_target = [&](const std::string& user) {
    if (user.empty() || user == who.id) return false;
    return outranks(who, target_role(st, user));
  };
  if (auto* x = std::get_if<net::chat::mute_frame>(&f)) {
    if (!check_target(x->user)) return deny("you cannot mute this user");
    auto until = now_ms() + static_cast<std::int64_t>(x->seconds) * 1000;
    prune_mutes(st.mod, now_ms());
    apply_mute(st.mod, x->user, until);
    persist_moderation(self);
    broadcast(st, frame(net::chat::render_moderation("mute", x->user, until, who.id)), prio::normal);
  } else if (auto* x = std::get_if<net::chat::ban_frame>(&f)) {
    if (!check_target(x->user)) return deny("you cannot ban this user");
    apply_ban(st.mod, x->user);
    persist_moderation(self);
    broadcast(st, frame(net::chat::render_moderation("ban", x->user, 0, who.id)), prio::normal);
    for (auto& [id, mem] : st.members)
      if (mem.user.id == x->user) mem.sink->close(net::chat::close_code::policy, "banned from this room");
  } else if (auto* x = std::get_if<net::chat::unban_frame>(&f)) {
    apply_unban(st.mod, x->user);
    persist_moderation(self);
    broadcast(st, frame(net::chat::render_moderation("unban", x->user, 0, who.id)), prio::normal);
  } else if (auto* x = std::get_if<net::chat::slow_mode_frame>(&f)) {
    st.mod.slow_mode_s = x->seconds;
    persist_moderation(self);
    broadcast(st, frame(net::chat::render_slow_mode(x->seconds, who.id)), prio::normal);
  } else if (std::holds_alternative<net::chat::clear_frame>(f)) {
    st.mod.cleared_up_to = st.last_seq;
    st.recent.clear();
    persist_moderation(self);
    broadcast(st, frame(net::chat::render_cleared(st.last_seq, who.id)), prio::normal);
  }
}

/// From now on the member gets live messages: a local connection joins the fan-out; one behind a relay is
/// announced to its relay, which holds broadcasts back from it until then.
void start_live(channel_state& st, const std::shared_ptr<session_sink>& sink, bool remote) {
  if (!remote) st.fanout.add(sink);
  else if (auto* r = dynamic_cast<relay_sink*>(sink.get())) r->go_live();
}

/// True while connection `conn` is the same member it was (it may have left, or its id been reused).
bool still_member(const channel_state& st, std::uint64_t conn, const std::shared_ptr<session_sink>& sink) {
  auto m = st.members.find(conn);
  return m != st.members.end() && m->second.sink == sink;
}

/// Sends the replay of the messages after `from` and only then lets the member receive live messages,
/// so a reconnecting client gets what it missed in order, before anything newer (docs/chat-protocol.md,
/// "history"). Messages that became durable while storage was read were broadcast without this member:
/// they are the tail of `recent`; if more than `recent` holds arrived meanwhile, the next page is read.
void replay_then_join(channel_actor* self, std::uint64_t conn, std::shared_ptr<session_sink> sink, std::uint64_t from,
                      bool remote) {
  auto& st = self->state;
  self->request(st.storage, storage_timeout, chat_after_atom::value, st.room, from,
                std::uint64_t{st.opts->replay_max})
      .then(
          [=](std::vector<storage::chat_record>& recs) {
            auto& st = self->state;
            if (!still_member(st, conn, sink)) return;  // left while storage was read
            std::vector<net::chat::chat_message> out;
            std::uint64_t last = from;
            for (auto& r : recs) {
              last = std::max<std::uint64_t>(last, r.seq);
              if (!r.deleted) out.push_back(to_message(r));
            }
            if (!recs.empty() && !st.recent.empty() && st.recent.front().seq > last + 1) {
              // More arrived meanwhile than `recent` covers: send this page, read the next.
              sink->send(frame(net::chat::render_history(out, true)), prio::normal);
              replay_then_join(self, conn, sink, last, remote);
              return;
            }
            for (const auto& msg : st.recent)
              if (msg.seq > last) out.push_back(msg);
            sink->send(frame(net::chat::render_history(out, true)), prio::normal);
            start_live(st, sink, remote);
          },
          [=](caf::error& err) {
            auto& st = self->state;
            if (!still_member(st, conn, sink)) return;
            sink->send(frame(net::chat::render_error("replay_failed", caf::to_string(err))), prio::normal);
            start_live(st, sink, remote);
          });
}

/// Welcome, then history (the last messages) or a replay of exactly what a reconnecting client missed.
void on_join(channel_actor* self, std::uint64_t conn, net::chat::user_info user, std::shared_ptr<session_sink> sink,
             std::optional<std::uint64_t> since, bool remote = false) {
  auto& st = self->state;
  if (is_banned(st.mod, user.id)) {
    sink->send(frame(net::chat::render_error("banned", "you are banned from this room")), prio::normal);
    sink->close(net::chat::close_code::policy, "banned from this room");
    return;
  }
  st.members[conn] = member{sink, user, remote};
  sink->send(frame(net::chat::render_welcome(st.room, user, st.last_seq, st.audience(), st.mod.slow_mode_s)),
             prio::normal);
  presence_changed(self);
  // Messages past the last durable one are not replayable yet (in flight): they will arrive live.
  const auto durable_last = st.durable_seq;
  if (!since || *since >= durable_last) {
    std::vector<net::chat::chat_message> hist;
    if (!since) hist.assign(st.recent.begin(), st.recent.end());
    sink->send(frame(net::chat::render_history(hist, since.has_value())), prio::normal);
    start_live(st, sink, remote);
    return;
  }
  if (st.first_seq == 0 || *since + 1 < st.first_seq || durable_last - *since > st.opts->replay_max) {
    sink->send(frame(net::chat::render_gap(*since, st.first_seq)), prio::normal);
    sink->send(frame(net::chat::render_history({st.recent.begin(), st.recent.end()}, false)), prio::normal);
    start_live(st, sink, remote);
    return;
  }
  // Live messages wait until the replay is out (replay_then_join adds the member to the fan-out).
  replay_then_join(self, conn, sink, std::max(*since, st.mod.cleared_up_to), remote);
}

void on_frame(channel_actor* self, std::uint64_t conn, const net::chat::client_frame& f) {
  if (auto* m = std::get_if<net::chat::msg_frame>(&f)) on_msg(self, conn, *m);
  else if (auto* r = std::get_if<net::chat::reaction_frame>(&f)) on_reaction(self, conn, *r);
  else on_moderation(self, conn, f);
}

/// A relay went away (its node died or left): its connections leave the room.
void drop_relay(channel_actor* self, const caf::actor_addr& addr) {
  auto& st = self->state;
  auto it = st.relays.find(addr);
  if (it == st.relays.end()) return;
  if (auto m = st.members.find(it->second.member_id); m != st.members.end()) {
    st.fanout.remove(m->second.sink.get());
    st.members.erase(m);
  }
  for (auto& [conn, id] : it->second.conns) st.members.erase(id);
  st.relays.erase(it);
  presence_changed(self);
}

caf::behavior running(channel_actor* self) {
  self->set_down_handler([=](caf::down_msg& dm) { drop_relay(self, dm.source); });
  return {
    [=](join_atom, std::uint64_t conn, net::chat::user_info& user, std::shared_ptr<session_sink>& sink,
        std::optional<std::uint64_t> since) { on_join(self, conn, std::move(user), std::move(sink), since); },
    [=](leave_atom, std::uint64_t conn) {
      auto& st = self->state;
      if (auto it = st.members.find(conn); it != st.members.end()) {
        st.fanout.remove(it->second.sink.get());
        st.members.erase(it);
        presence_changed(self);
      }
    },
    [=](cframe_atom, std::uint64_t conn, const net::chat::client_frame& f) { on_frame(self, conn, f); },
    // ---- relays on other nodes (docs/cluster.md, "Chat relay") ----
    [=](relay_atom, const caf::actor& relay) {
      auto& st = self->state;
      if (st.relays.count(relay.address())) return;
      const auto id = st.next_remote_id++;
      st.relays[relay.address()] = relay_info{relay, id, {}};
      auto sink = std::make_shared<relay_sink>(relay, 0);
      st.fanout.add(sink);
      st.members[id] = member{std::move(sink), {"relay:" + std::to_string(id), "", ""}, false, true};
      self->monitor(relay);
    },
    [=](rjoin_atom, const caf::actor& relay, std::uint64_t conn, net::chat::user_info& user, bool has_since,
        std::uint64_t since) {
      auto& st = self->state;
      auto it = st.relays.find(relay.address());
      if (it == st.relays.end()) return;  // joins come after the relay registered (same sender, in order)
      const auto id = st.next_remote_id++;
      it->second.conns[conn] = id;
      on_join(self, id, std::move(user), std::make_shared<relay_sink>(relay, conn),
              has_since ? std::optional<std::uint64_t>(since) : std::nullopt, true);
    },
    [=](rleave_atom, const caf::actor& relay, std::uint64_t conn) {
      auto& st = self->state;
      auto it = st.relays.find(relay.address());
      if (it == st.relays.end()) return;
      auto c = it->second.conns.find(conn);
      if (c == it->second.conns.end()) return;
      if (st.members.erase(c->second) > 0) presence_changed(self);
      it->second.conns.erase(c);
    },
    [=](rcframe_atom, const caf::actor& relay, std::uint64_t conn, const net::chat::client_frame& f) {
      auto& st = self->state;
      auto it = st.relays.find(relay.address());
      if (it == st.relays.end()) return;
      if (auto c = it->second.conns.find(conn); c != it->second.conns.end()) on_frame(self, c->second, f);
    },
    [=](flush_atom) {
      auto& st = self->state;
      st.reaction_timer = false;
      if (st.reactions.empty()) return;
      broadcast(st, frame(net::chat::render_reactions(st.reactions)), prio::droppable);
      st.reactions.clear();
    },
    [=](presence_atom) {
      auto& st = self->state;
      st.presence_timer = false;
      if (st.audience() == st.presence_sent) return;
      st.presence_sent = st.audience();
      broadcast(st, frame(net::chat::render_presence(st.audience())), prio::droppable);
    },
    [=](system_atom, const std::string& event) {
      broadcast(self->state, frame(net::chat::render_system(event)), prio::normal);
    },
    // The room's owner changed (failover back, or a drain handed it on): every member, local or behind a
    // relay, reconnects and resumes with `since` at the new owner's channel. Batches being written are
    // finished and acknowledged first, while the members are still here: every message this channel
    // accepted is durable before it goes, and its sender knows it.
    [=](moved_atom) {
      auto& st = self->state;
      st.moving = true;
      if (st.writing || !st.pending.empty())
        return (void)self->delayed_send(self, std::chrono::milliseconds(20), moved_atom::value);
      for (auto& [id, m] : st.members) {
        st.fanout.remove(m.sink.get());
        m.sink->close(net::chat::close_code::service_restart, "the room's chat moved to another node; reconnect");
      }
      st.members.clear();
      st.relays.clear();
      self->quit();
    },
    [=](delete_atom) {
      auto& st = self->state;
      for (auto& [id, m] : st.members) m.sink->close(net::chat::close_code::not_found, "the room was deleted");
      st.members.clear();
      self->send(st.storage, chat_drop_atom::value, st.room);
      self->quit();
    },
  };
}

}  // namespace

caf::actor spawn_chat_channel(caf::actor_system& sys, std::string room_id, std::shared_ptr<const chat_options> opts,
                              caf::actor storage, std::shared_ptr<node_metrics> metrics) {
  return sys.spawn([=](channel_actor* self) -> caf::behavior {
    auto& st = self->state;
    st.room = room_id;
    st.opts = opts;
    st.storage = storage;
    st.metrics = metrics;
    // Until history, bounds and moderation are loaded, every other message waits in the mailbox.
    self->set_default_handler(caf::skip);
    auto loaded = std::make_shared<int>(0);
    auto done = [=] {
      if (++*loaded < 3) return;
      self->set_default_handler(caf::print_and_drop);
      self->become(running(self));
    };
    self->request(storage, storage_timeout, chat_bnd_atom::value, room_id)
        .then([=](std::uint64_t first, std::uint64_t last) {
                self->state.first_seq = first;
                self->state.last_seq = std::max(self->state.last_seq, last);
                self->state.durable_seq = self->state.last_seq;
                done();
              },
              [=](caf::error& err) {
                spdlog::error("chat {}: cannot load sequence: {}", room_id, caf::to_string(err));
                self->quit(err);
              });
    self->request(storage, storage_timeout, chat_last_atom::value, room_id, std::uint64_t{opts->history_on_join})
        .then([=](std::vector<storage::chat_record>& recs) {
                for (auto& r : recs)
                  if (!r.deleted) self->state.recent.push_back(to_message(r));
                done();
              },
              [=](caf::error& err) { self->quit(err); });
    self->request(storage, storage_timeout, mod_get_atom::value, room_id)
        .then([=](storage::chat_moderation& m) {
                self->state.mod = std::move(m);
                // Cleared messages stay out of history after a restart too.
                std::erase_if(self->state.recent, [&](auto& r) { return r.seq <= self->state.mod.cleared_up_to; });
                done();
              },
              [=](caf::error& err) { self->quit(err); });
    // A placeholder behavior while loading (an empty behavior would end the actor); `running` replaces it.
    return {[](loaded_atom) {}};
  });
}

}  // namespace onair::actors
