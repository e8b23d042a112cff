#include "media/packager_errc.hpp"

#include <string>

namespace onair::media {
namespace {

class packager_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "onair.media.packager"; }
  std::string message(int ev) const override {
    switch (static_cast<packager_errc>(ev)) {
      case packager_errc::ok: return "ok";
      case packager_errc::not_started: return "no publish session: call begin() first";
      case packager_errc::no_config: return "frame of a track without configuration";
      case packager_errc::invalid_config: return "unusable codec configuration";
      case packager_errc::non_monotonic_timestamp: return "non-monotonic decode timestamp, frame dropped";
      case packager_errc::empty_frame: return "empty frame dropped";
      case packager_errc::queue_full: return "audio queue full, oldest audio dropped";
      case packager_errc::muxer_failed: return "CMAF muxer failure";
    }
    return "unknown packager error";
  }
};

}  // namespace

const std::error_category& packager_category() noexcept {
  static const packager_category_impl instance;
  return instance;
}

}  // namespace onair::media
