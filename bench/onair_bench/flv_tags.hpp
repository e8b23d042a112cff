#pragma once
/// The tags of an FLV file (Adobe FLV spec v10.1, E.2-E.4) as RTMP publishers send them: each audio (8),
/// video (9) or script (18) tag body becomes one RTMP message of the same type id (RTMP spec 7.1).
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace onair::bench {

/// One FLV tag: its type, its 32-bit timestamp (ms) and where its body sits in the file bytes.
struct flv_tag {
  std::uint8_t type = 0;
  std::uint32_t timestamp_ms = 0;
  std::size_t offset = 0;  ///< of the body inside the file
  std::size_t size = 0;
};

/// Errors of the FLV tag reader.
enum class flv_errc { ok = 0, not_flv = 1, truncated };
std::error_code make_error_code(flv_errc e);

/// Splits a whole FLV file into tags. A truncated last tag ends the list without an error when at least
/// one tag was read (a capture cut short), and is an error otherwise.
std::error_code split_flv_tags(std::string_view file, std::vector<flv_tag>& out);

}  // namespace onair::bench

template <>
struct std::is_error_code_enum<onair::bench::flv_errc> : std::true_type {};
