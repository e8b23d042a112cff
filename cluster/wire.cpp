#include "cluster/wire.hpp"

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST  // the fuzz target compiles this file on its own (tests/fuzz/gossip_wire_fuzz.cpp)
#endif
#include <msgpack.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

#include "media/hmac.hpp"

namespace onair::cluster::wire {
namespace {

// Layout (docs/cluster.md "Wire format"), every record a msgpack array so fields are positional:
//   packet        = [type, from, seq, target, target_addr, flags, state[update...], gossip[update...]]
//   update        = [node_id, region, zone, endpoints, state, incarnation, load, draining, from]
//   endpoints     = [host, gossip, rtmp, http, caf]
//   load          = [rooms, streams, viewers, cpu_pct]
//   flags         = bit 0 reply, bit 1 first (push_pull)
constexpr std::uint32_t packet_fields = 8;
constexpr std::uint32_t update_fields = 9;
constexpr std::uint32_t endpoint_fields = 5;
constexpr std::uint32_t load_fields = 4;
constexpr std::uint8_t flag_reply = 1, flag_first = 2;

/// msgpack::packer's stream concept over a byte vector.
struct vec_writer {
  std::vector<std::uint8_t>& out;
  void write(const char* p, std::size_t n) {
    // resize + memcpy rather than insert(): g++ 12 raises a false -Wstringop-overflow on the latter.
    const std::size_t at = out.size();
    out.resize(at + n);
    std::memcpy(out.data() + at, p, n);
  }
};

void pack_update(msgpack::packer<vec_writer>& pk, const member_update& u) {
  const member& m = u.m;
  pk.pack_array(update_fields);
  pk.pack(m.node_id);
  pk.pack(m.region);
  pk.pack(m.zone);
  pk.pack_array(endpoint_fields);
  pk.pack(m.ep.host);
  pk.pack(m.ep.gossip);
  pk.pack(m.ep.rtmp);
  pk.pack(m.ep.http);
  pk.pack(m.ep.caf);
  pk.pack(static_cast<std::uint8_t>(m.state));
  pk.pack(m.incarnation);
  pk.pack_array(load_fields);
  pk.pack(m.ld.rooms);
  pk.pack(m.ld.streams);
  pk.pack(m.ld.viewers);
  pk.pack(m.ld.cpu_pct);
  pk.pack(m.draining);
  pk.pack(u.from);
}

// Non-throwing readers over a decoded msgpack::object: each checks the type and range first.
bool read(const msgpack::object& o, std::string& out) {
  if (o.type != msgpack::type::STR) return false;
  out.assign(o.via.str.ptr, o.via.str.size);
  return true;
}
template <class T>
bool read_uint(const msgpack::object& o, T& out) {
  if (o.type != msgpack::type::POSITIVE_INTEGER) return false;
  if (o.via.u64 > std::numeric_limits<T>::max()) return false;
  out = static_cast<T>(o.via.u64);
  return true;
}
bool read(const msgpack::object& o, bool& out) {
  if (o.type != msgpack::type::BOOLEAN) return false;
  out = o.via.boolean;
  return true;
}
const msgpack::object* array_of(const msgpack::object& o, std::uint32_t n) {
  if (o.type != msgpack::type::ARRAY || o.via.array.size != n) return nullptr;
  return o.via.array.ptr;
}

bool read_update(const msgpack::object& o, member_update& u) {
  const auto* f = array_of(o, update_fields);
  if (!f) return false;
  member& m = u.m;
  if (!read(f[0], m.node_id) || m.node_id.empty() || !read(f[1], m.region) || !read(f[2], m.zone)) return false;
  const auto* e = array_of(f[3], endpoint_fields);
  if (!e || !read(e[0], m.ep.host) || !read_uint(e[1], m.ep.gossip) || !read_uint(e[2], m.ep.rtmp) ||
      !read_uint(e[3], m.ep.http) || !read_uint(e[4], m.ep.caf))
    return false;
  std::uint8_t st = 0;
  if (!read_uint(f[4], st) || st > static_cast<std::uint8_t>(member_state::left)) return false;
  m.state = static_cast<member_state>(st);
  if (!read_uint(f[5], m.incarnation)) return false;
  const auto* l = array_of(f[6], load_fields);
  if (!l || !read_uint(l[0], m.ld.rooms) || !read_uint(l[1], m.ld.streams) || !read_uint(l[2], m.ld.viewers) ||
      !read_uint(l[3], m.ld.cpu_pct))
    return false;
  return read(f[7], m.draining) && read(f[8], u.from);
}

bool read_updates(const msgpack::object& o, std::vector<member_update>& out) {
  if (o.type != msgpack::type::ARRAY) return false;
  out.resize(o.via.array.size);
  for (std::uint32_t i = 0; i < o.via.array.size; ++i)
    if (!read_update(o.via.array.ptr[i], out[i])) return false;
  return true;
}

class wire_category_impl : public std::error_category {
 public:
  const char* name() const noexcept override { return "onair.cluster.wire"; }
  std::string message(int e) const override {
    switch (static_cast<errc>(e)) {
      case errc::ok: return "ok";
      case errc::auth: return "bad or missing HMAC tag";
      case errc::version: return "unsupported protocol version";
      case errc::malformed: return "malformed datagram";
    }
    return "unknown";
  }
};

}  // namespace

const std::error_category& wire_category() {
  static const wire_category_impl cat;
  return cat;
}
std::error_code make_error_code(errc e) { return {static_cast<int>(e), wire_category()}; }

std::vector<std::uint8_t> encode_update(const member_update& u) {
  std::vector<std::uint8_t> out;
  out.reserve(64 + u.m.node_id.size() + u.m.region.size() + u.m.zone.size() + u.m.ep.host.size());
  vec_writer w{out};
  msgpack::packer<vec_writer> pk(w);
  pack_update(pk, u);
  return out;
}

std::vector<std::uint8_t> encode(const packet& p, std::span<const std::span<const std::uint8_t>> pre_encoded) {
  std::vector<std::uint8_t> out;
  std::size_t extra = 0;
  for (const auto& s : pre_encoded) extra += s.size();
  out.reserve(48 + p.from.size() + p.target.size() + p.target_addr.size() + extra + 96 * (p.state.size() + p.gossip.size()));
  vec_writer w{out};
  msgpack::packer<vec_writer> pk(w);
  pk.pack_array(packet_fields);
  pk.pack(static_cast<std::uint8_t>(p.type));
  pk.pack(p.from);
  pk.pack(p.seq);
  pk.pack(p.target);
  pk.pack(p.target_addr);
  pk.pack(static_cast<std::uint8_t>((p.reply ? flag_reply : 0) | (p.first ? flag_first : 0)));
  pk.pack_array(static_cast<std::uint32_t>(p.state.size()));
  for (const auto& u : p.state) pack_update(pk, u);
  pk.pack_array(static_cast<std::uint32_t>(p.gossip.size() + pre_encoded.size()));
  for (const auto& u : p.gossip) pack_update(pk, u);
  for (const auto& s : pre_encoded) w.write(reinterpret_cast<const char*>(s.data()), s.size());
  return out;
}

std::optional<packet> decode(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return std::nullopt;
  // Every msgpack element takes at least one byte, so no honest count exceeds the payload size; the
  // limits stop a 5-byte header from claiming 4 billion elements (msgpack-cxx allocates them up front).
  const std::size_t n = payload.size();
  const msgpack::unpack_limit limit(/*array=*/n, /*map=*/0, /*str=*/n, /*bin=*/0, /*ext=*/0, /*depth=*/5);
  msgpack::object_handle oh;
  try {
    std::size_t off = 0;
    oh = msgpack::unpack(reinterpret_cast<const char*>(payload.data()), n, off, nullptr, nullptr, limit);
    if (off != n) return std::nullopt;  // trailing bytes: not one packet
  } catch (const std::exception&) {     // msgpack::unpack_error and its limit errors, std::bad_alloc
    return std::nullopt;
  }
  const auto* f = array_of(oh.get(), packet_fields);
  if (!f) return std::nullopt;
  packet p;
  std::uint8_t type = 0, flags = 0;
  if (!read_uint(f[0], type) || type < 1 || type > static_cast<std::uint8_t>(packet_type::gossip)) return std::nullopt;
  p.type = static_cast<packet_type>(type);
  if (!read(f[1], p.from) || p.from.empty() || !read_uint(f[2], p.seq) || !read(f[3], p.target) ||
      !read(f[4], p.target_addr) || !read_uint(f[5], flags) || flags > (flag_reply | flag_first))
    return std::nullopt;
  p.reply = flags & flag_reply;
  p.first = flags & flag_first;
  if (!read_updates(f[6], p.state) || !read_updates(f[7], p.gossip)) return std::nullopt;
  return p;
}

std::vector<std::uint8_t> seal(std::span<const std::uint8_t> payload, std::string_view secret) {
  const std::uint8_t version[1] = {protocol_version};
  const auto key = std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());
  const auto tag = media::hmac_sha256(key, version, payload);
  std::vector<std::uint8_t> out;
  out.reserve(envelope_bytes + payload.size());
  out.push_back(protocol_version);
  out.insert(out.end(), tag.begin(), tag.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

opened open(std::span<const std::uint8_t> datagram, std::string_view secret) {
  if (datagram.empty()) return {make_error_code(errc::malformed), {}};
  // The version byte comes first so a future version may change the rest of the envelope.
  if (datagram[0] != protocol_version) return {make_error_code(errc::version), {}};
  if (datagram.size() <= envelope_bytes) return {make_error_code(errc::malformed), {}};
  const auto payload = datagram.subspan(envelope_bytes);
  const auto key = std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());
  const auto tag = media::hmac_sha256(key, datagram.first(1), payload);
  std::uint8_t diff = 0;  // constant time: do not leak how many tag bytes matched
  for (std::size_t i = 0; i < tag_bytes; ++i) diff |= static_cast<std::uint8_t>(tag[i] ^ datagram[1 + i]);
  if (diff != 0) return {make_error_code(errc::auth), {}};
  return {{}, payload};
}

std::string address_of(const endpoints& ep) {
  std::string out;
  const bool v6 = ep.host.find(':') != std::string::npos;
  out.reserve(ep.host.size() + 8);
  if (v6) out += '[';
  out += ep.host;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(ep.gossip);
  return out;
}

}  // namespace onair::cluster::wire
