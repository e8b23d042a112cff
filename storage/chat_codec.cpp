#include "storage/chat_codec.hpp"

#include <algorithm>
#include <new>

#include "storage/errc.hpp"
#include "storage/msgpack_fields.hpp"

namespace onair::storage {

namespace {

using detail::read_bool;
using detail::read_i64;
using detail::read_str;
using detail::read_str_array;
using detail::read_u32;
using detail::read_u64;
using detail::string_sink;

// Element counts, version element included; a version fixes its layout exactly (docs/storage.md).
constexpr std::uint32_t chat_v1_size = 8;
constexpr std::uint32_t moderation_v1_size = 5;
constexpr std::uint32_t mute_v1_size = 2;

/// Limits for untrusted bytes. msgpack-c allocates an array's elements when it reads the header, so
/// the array cap is the value's own length: every element takes at least one byte, so no well-formed
/// value has more elements than bytes, and a lying header can cost at most ~24 bytes per input byte
/// (not 100 GB for a 5-byte header). A ban list may legitimately be long, hence no fixed 4096 cap.
/// Depth: a message is flat (1); moderation is record → mutes → one mute (3).
msgpack::unpack_limit limit_for(std::string_view bytes, std::size_t depth) {
  const std::size_t array = std::clamp<std::size_t>(bytes.size(), 1, 1u << 24);
  return msgpack::unpack_limit(array, /*map=*/0, /*str=*/1u << 20, /*bin=*/0, /*ext=*/0, depth);
}

bool decode_chat_v1(const msgpack::object_array& a, chat_record& m) {
  if (a.size != chat_v1_size) return false;
  const msgpack::object* f = a.ptr;
  return read_u64(f[1], m.seq) && read_i64(f[2], m.ts_ms) && read_str(f[3], m.user_id) &&
         read_str(f[4], m.user_name) && read_str(f[5], m.user_role) && read_str(f[6], m.text) &&
         read_bool(f[7], m.deleted);
}

bool read_mutes(const msgpack::object& o, std::vector<chat_moderation::mute>& out) {
  if (o.type != msgpack::type::ARRAY) return false;
  out.clear();
  out.reserve(o.via.array.size);
  for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
    const msgpack::object& e = o.via.array.ptr[i];
    if (e.type != msgpack::type::ARRAY || e.via.array.size != mute_v1_size) return false;
    auto& m = out.emplace_back();
    if (!read_str(e.via.array.ptr[0], m.user_id) || !read_i64(e.via.array.ptr[1], m.until_ms))
      return false;
  }
  return true;
}

bool decode_moderation_v1(const msgpack::object_array& a, chat_moderation& m) {
  if (a.size != moderation_v1_size) return false;
  const msgpack::object* f = a.ptr;
  return read_str_array(f[1], m.banned) && read_mutes(f[2], m.muted) &&
         read_u32(f[3], m.slow_mode_s) && read_u64(f[4], m.cleared_up_to);
}

}  // namespace

std::string encode_chat(const chat_record& m) {
  std::string out;
  // One allocation on the append path: the fixed fields fit in 32 bytes (msgpack headers included).
  out.reserve(32 + m.user_id.size() + m.user_name.size() + m.user_role.size() + m.text.size());
  string_sink sink{out};
  msgpack::packer<string_sink> pk(sink);
  // Field order is the v1 layout; append new fields at the end under a new version. `seq` repeats the
  // key's number so the store can tell a value that sits under the wrong key.
  pk.pack_array(chat_v1_size);
  pk.pack(chat_format_version);
  pk.pack(m.seq);
  pk.pack(m.ts_ms);
  pk.pack(m.user_id);
  pk.pack(m.user_name);
  pk.pack(m.user_role);
  pk.pack(m.text);
  pk.pack(m.deleted);
  return out;
}

std::error_code decode_chat(std::string_view bytes, chat_record& out) {
  return detail::decode_versioned(bytes, limit_for(bytes, 1), out, decode_chat_v1);
}

std::string encode_chat_moderation(const chat_moderation& m) {
  std::string out;
  string_sink sink{out};
  msgpack::packer<string_sink> pk(sink);
  pk.pack_array(moderation_v1_size);
  pk.pack(chat_moderation_format_version);
  pk.pack(m.banned);
  pk.pack_array(static_cast<std::uint32_t>(m.muted.size()));
  for (const auto& mute : m.muted) {
    pk.pack_array(mute_v1_size);
    pk.pack(mute.user_id);
    pk.pack(mute.until_ms);
  }
  pk.pack(m.slow_mode_s);
  pk.pack(m.cleared_up_to);
  return out;
}

std::error_code decode_chat_moderation(std::string_view bytes, chat_moderation& out) {
  return detail::decode_versioned(bytes, limit_for(bytes, 3), out, decode_moderation_v1);
}

}  // namespace onair::storage
