#include "net/rtmp/errc.hpp"

#include <string>

namespace onair::net::rtmp {

namespace {
class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "onair.rtmp"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::bad_version: return "unsupported RTMP version in C0";
      case errc::message_too_large: return "RTMP message larger than the limit";
      case errc::bad_chunk_size: return "invalid Set Chunk Size";
      case errc::too_many_chunk_streams: return "too many RTMP chunk streams";
      case errc::missing_chunk_header: return "chunk refers to a chunk stream without a previous header";
      case errc::amf_truncated: return "AMF0 value truncated";
      case errc::amf_bad_marker: return "unsupported AMF0 type marker";
      case errc::amf_too_deep: return "AMF0 nesting too deep";
      case errc::amf_too_many_items: return "AMF0 container too large";
      case errc::bad_command: return "malformed RTMP command";
      case errc::protocol_violation: return "RTMP protocol violation";
      case errc::too_many_pending: return "too many messages while the publish decision is pending";
    }
    return "unknown RTMP error";
  }
};
}  // namespace

const std::error_category& rtmp_category() {
  static const category c;
  return c;
}

}  // namespace onair::net::rtmp
