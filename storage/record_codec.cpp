#include "storage/record_codec.hpp"

#include <new>

#include "storage/errc.hpp"
#include "storage/msgpack_fields.hpp"

namespace onair::storage {

namespace {

using detail::read_i64;
using detail::read_str;
using detail::read_str_array;
using detail::read_u64;
using detail::read_u8;
using detail::string_sink;

// Element counts of each version, version element included. A version fixes its layout exactly, so a
// value with more or fewer elements than its version says is corrupt, not "newer".
constexpr std::uint32_t room_v1_size = 13;
// v1 + version, home_region, owner_node, owner_epoch, origin, deleted, ladder_set, ladder, renditions,
// transcode_status
constexpr std::uint32_t room_v2_size = 23;
constexpr std::uint32_t token_v1_size = 5;

// Limits for decoding untrusted bytes (a corrupt value, a fuzzer): msgpack-c allocates an array's
// elements before it reads them, so without a cap a 5-byte header claiming 2^32 elements asks for 100 GB.
// Records are flat (depth 2: the record array, the tags array); tags are few; strings are short text.
const msgpack::unpack_limit decode_limit(/*array=*/4096, /*map=*/0, /*str=*/1u << 20, /*bin=*/0,
                                         /*ext=*/0, /*depth=*/2);

bool decode_room_common(const msgpack::object_array& a, room_record& r) {
  const msgpack::object* f = a.ptr;
  return read_str(f[1], r.id) && read_str(f[2], r.owner) && read_str(f[3], r.title) &&
         read_str(f[4], r.description) && read_u8(f[5], r.kind) && read_str_array(f[6], r.tags) &&
         read_u8(f[7], r.status) && read_str(f[8], r.stream_key_hash) &&
         read_i64(f[9], r.created_at_ms) && read_i64(f[10], r.updated_at_ms) &&
         read_u64(f[11], r.next_msn) && read_u64(f[12], r.discontinuity_seq);
}

bool decode_room_v1(const msgpack::object_array& a, room_record& r) {
  return a.size == room_v1_size && decode_room_common(a, r);
}

bool decode_room_v2(const msgpack::object_array& a, room_record& r) {
  if (a.size != room_v2_size || !decode_room_common(a, r)) return false;
  const msgpack::object* f = a.ptr;
  std::uint8_t deleted = 0;
  if (!(read_u64(f[13], r.version) && read_str(f[14], r.home_region) && read_str(f[15], r.owner_node) &&
        read_u64(f[16], r.owner_epoch) && read_str(f[17], r.origin_node) && read_u8(f[18], deleted) && deleted <= 1))
    return false;
  r.deleted = deleted == 1;
  std::uint8_t ladder_set = 0;
  if (!(read_u8(f[19], ladder_set) && ladder_set <= 1 && read_str_array(f[20], r.ladder) &&
        read_str_array(f[21], r.renditions) && read_str(f[22], r.transcode_status)))
    return false;
  r.ladder_set = ladder_set == 1;
  return true;
}

bool decode_token_v1(const msgpack::object_array& a, token_record& t) {
  if (a.size != token_v1_size) return false;
  const msgpack::object* f = a.ptr;
  return read_str(f[1], t.name) && read_str(f[2], t.role) && read_str(f[3], t.token_hash) &&
         read_i64(f[4], t.created_at_ms);
}

}  // namespace

std::string encode_room(const room_record& r) {
  std::string out;
  string_sink sink{out};
  msgpack::packer<string_sink> pk(sink);
  // Field order is the v1 layout plus the v2 fields; append new fields at the end under a new version.
  pk.pack_array(room_v2_size);
  pk.pack(room_format_version);
  pk.pack(r.id);
  pk.pack(r.owner);
  pk.pack(r.title);
  pk.pack(r.description);
  pk.pack(static_cast<std::uint32_t>(r.kind));  // widened so it can never be taken for a char
  pk.pack(r.tags);
  pk.pack(static_cast<std::uint32_t>(r.status));
  pk.pack(r.stream_key_hash);
  pk.pack(r.created_at_ms);
  pk.pack(r.updated_at_ms);
  pk.pack(r.next_msn);
  pk.pack(r.discontinuity_seq);
  pk.pack(r.version);
  pk.pack(r.home_region);
  pk.pack(r.owner_node);
  pk.pack(r.owner_epoch);
  pk.pack(r.origin_node);
  pk.pack(static_cast<std::uint32_t>(r.deleted ? 1 : 0));
  pk.pack(static_cast<std::uint32_t>(r.ladder_set ? 1 : 0));
  pk.pack(r.ladder);
  pk.pack(r.renditions);
  pk.pack(r.transcode_status);
  return out;
}

std::error_code decode_room(std::string_view bytes, room_record& out) {
  return detail::decode_versioned(bytes, decode_limit, out, decode_room_v1, decode_room_v2);
}

std::string encode_token(const token_record& t) {
  std::string out;
  string_sink sink{out};
  msgpack::packer<string_sink> pk(sink);
  pk.pack_array(token_v1_size);
  pk.pack(token_format_version);
  pk.pack(t.name);
  pk.pack(t.role);
  pk.pack(t.token_hash);
  pk.pack(t.created_at_ms);
  return out;
}

std::error_code decode_token(std::string_view bytes, token_record& out) {
  return detail::decode_versioned(bytes, decode_limit, out, decode_token_v1);
}

}  // namespace onair::storage
