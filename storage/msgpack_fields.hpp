#pragma once
/// Internal to storage/ codecs (record_codec.cpp, chat_codec.cpp): reading typed msgpack fields and
/// writing straight into a value string. Includes msgpack, so no public storage header includes it.
#include <msgpack.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

#include "storage/errc.hpp"
#include <vector>

namespace onair::storage::detail {

/// msgpack::packer writes through any type with write(const char*, size_t); this one appends to the
/// value string directly, saving the copy out of an sbuffer.
struct string_sink {
  std::string& out;
  void write(const char* p, std::size_t n) { out.append(p, n); }
};

inline bool read_str(const msgpack::object& o, std::string& out) {
  if (o.type != msgpack::type::STR) return false;
  out.assign(o.via.str.ptr, o.via.str.size);
  return true;
}

inline bool read_u64(const msgpack::object& o, std::uint64_t& out) {
  if (o.type != msgpack::type::POSITIVE_INTEGER) return false;
  out = o.via.u64;
  return true;
}

inline bool read_u32(const msgpack::object& o, std::uint32_t& out) {
  std::uint64_t v = 0;
  if (!read_u64(o, v) || v > std::numeric_limits<std::uint32_t>::max()) return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

inline bool read_u8(const msgpack::object& o, std::uint8_t& out) {
  std::uint64_t v = 0;
  if (!read_u64(o, v) || v > std::numeric_limits<std::uint8_t>::max()) return false;
  out = static_cast<std::uint8_t>(v);
  return true;
}

inline bool read_i64(const msgpack::object& o, std::int64_t& out) {
  if (o.type == msgpack::type::NEGATIVE_INTEGER) {
    out = o.via.i64;
    return true;
  }
  if (o.type == msgpack::type::POSITIVE_INTEGER &&
      o.via.u64 <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    out = static_cast<std::int64_t>(o.via.u64);
    return true;
  }
  return false;
}

/// Only msgpack true/false: an integer 0/1 is not what the encoder writes, so it is corrupt.
inline bool read_bool(const msgpack::object& o, bool& out) {
  if (o.type != msgpack::type::BOOLEAN) return false;
  out = o.via.boolean;
  return true;
}

inline bool read_str_array(const msgpack::object& o, std::vector<std::string>& out) {
  if (o.type != msgpack::type::ARRAY) return false;
  out.clear();
  out.reserve(o.via.array.size);
  for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
    out.emplace_back();
    if (!read_str(o.via.array.ptr[i], out.back())) return false;
  }
  return true;
}

/// Parses exactly one msgpack array from `bytes` under `limit` and reads its leading version; false
/// for anything else. msgpack-c reports malformed input by throwing: callers catch (they are the
/// boundary where that becomes errc::corrupt).
inline bool parse_versioned(std::string_view bytes, const msgpack::unpack_limit& limit,
                            msgpack::object_handle& oh, std::uint64_t& version) {
  if (bytes.empty()) return false;
  std::size_t off = 0;
  oh = msgpack::unpack(bytes.data(), bytes.size(), off, nullptr, nullptr, limit);
  if (off != bytes.size()) return false;  // trailing bytes: not a value this codec wrote
  const msgpack::object& o = oh.get();
  if (o.type != msgpack::type::ARRAY || o.via.array.size == 0) return false;
  return read_u64(o.via.array.ptr[0], version);
}

/// Decodes one versioned value: `decoders` read format versions 1, 2, ... in order (older layouts stay
/// readable forever); any other version (written by a newer onair, or garbage) is refused rather than
/// guessed at. This is the boundary where msgpack's exceptions (and std::bad_alloc) become errc::corrupt.
template <class T, class... Decoders>
std::error_code decode_versioned(std::string_view bytes, const msgpack::unpack_limit& limit, T& out,
                                 Decoders... decoders) {
  try {
    msgpack::object_handle oh;
    std::uint64_t version = 0;
    if (!parse_versioned(bytes, limit, oh, version) || version < 1 || version > sizeof...(Decoders))
      return errc::corrupt;
    T value;
    std::uint64_t v = 0;
    // Runs exactly the decoder whose position matches the stored version.
    const bool ok = ((++v == version && decoders(oh.get().via.array, value)) || ...);
    if (!ok) return errc::corrupt;
    out = std::move(value);
    return {};
  } catch (const std::exception&) {
    return errc::corrupt;
  }
}

}  // namespace onair::storage::detail
