#pragma once
/// The byte format of stored values (docs/storage.md, "Encoding"): a msgpack array whose first element
/// is a format version. Kept apart from the store so the codec can be fuzzed and tested without RocksDB,
/// and so no msgpack header leaks into code that includes storage headers.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "storage/records.hpp"

namespace onair::storage {

/// Format version written for room values. Bump it when a field is added; decoders keep reading
/// every older version.
inline constexpr std::uint32_t room_format_version = 2;
/// Format version written for token values.
inline constexpr std::uint32_t token_format_version = 1;

/// Encodes `r` at room_format_version.
std::string encode_room(const room_record& r);
/// Decodes a room value. Returns errc::corrupt for bytes that are not a well-formed room value of a
/// known version (truncated, wrong types, trailing bytes, unknown version); never throws.
std::error_code decode_room(std::string_view bytes, room_record& out);

/// Encodes `t` at token_format_version.
std::string encode_token(const token_record& t);
/// Decodes a token value; errc::corrupt as for decode_room; never throws.
std::error_code decode_token(std::string_view bytes, token_record& out);

}  // namespace onair::storage
