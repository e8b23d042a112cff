#pragma once
/// The byte format of chat values (docs/storage.md, "Chat history"): like record_codec, a msgpack
/// array whose first element is a format version. Separate from the store so it can be fuzzed
/// (tests/fuzz/chat_codec_fuzz.cpp) and tested without RocksDB; includes no msgpack header.
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "storage/chat_records.hpp"

namespace onair::storage {

/// Format version written for chat message values (`chat/<room>/<seq>`).
inline constexpr std::uint32_t chat_format_version = 1;
/// Format version written for moderation values (`chatmod/<room>`).
inline constexpr std::uint32_t chat_moderation_format_version = 1;

/// Encodes `m` at chat_format_version.
std::string encode_chat(const chat_record& m);
/// Decodes a chat message value. errc::corrupt for anything that is not a well-formed value of a
/// known version (truncated, wrong types, trailing bytes, unknown version); never throws; `out` is
/// unchanged on failure.
std::error_code decode_chat(std::string_view bytes, chat_record& out);

/// Encodes `m` at chat_moderation_format_version.
std::string encode_chat_moderation(const chat_moderation& m);
/// Decodes a moderation value; errc::corrupt as for decode_chat; never throws.
std::error_code decode_chat_moderation(std::string_view bytes, chat_moderation& out);

}  // namespace onair::storage
