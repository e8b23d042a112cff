#pragma once
/// Errors of RTMP ingest, as std::error_code (DESIGN.md section 8: errors are values).
#include <system_error>

namespace onair::net::rtmp {

enum class errc {
  bad_version = 1,         ///< C0 is not RTMP version 3 (RTMP spec 5.2.2)
  message_too_large,       ///< a message length above the configured limit (server_options::max_message_size)
  bad_chunk_size,          ///< Set Chunk Size of 0 or with the high bit set (RTMP spec 5.4.1)
  too_many_chunk_streams,  ///< more chunk streams in use than the parser keeps state for
  missing_chunk_header,    ///< a type 1/2/3 chunk on a chunk stream that has no previous header (5.3.1.2)
  amf_truncated,           ///< AMF0 value cut short (AMF0 spec 2)
  amf_bad_marker,          ///< unknown or unsupported AMF0 type marker
  amf_too_deep,            ///< AMF0 nesting beyond the limit
  amf_too_many_items,      ///< AMF0 container with more entries than the limit
  bad_command,             ///< a command message that is not name + transaction id + ...
  protocol_violation,      ///< a message out of order (e.g. publish before connect)
  too_many_pending,        ///< too many messages queued while a publish decision is pending
};

const std::error_category& rtmp_category();
inline std::error_code make_error_code(errc e) { return {static_cast<int>(e), rtmp_category()}; }

}  // namespace onair::net::rtmp

template <>
struct std::is_error_code_enum<onair::net::rtmp::errc> : std::true_type {};
