#include <string>

#include "media/transcoder.hpp"

namespace onair::media {
namespace {

class transcode_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "onair.media.transcode"; }
  std::string message(int ev) const override {
    switch (static_cast<transcode_errc>(ev)) {
      case transcode_errc::unsupported_codec: return "source codec or configuration cannot be decoded";
      case transcode_errc::decoder_error: return "corrupt source frame dropped";
      case transcode_errc::encoder_error: return "encoder failure";
      case transcode_errc::config_changed: return "source resolution or codec changed";
    }
    return "unknown transcode error";
  }
};

}  // namespace

std::error_code make_error_code(transcode_errc e) {
  static const transcode_category_impl category;
  return {static_cast<int>(e), category};
}

}  // namespace onair::media
