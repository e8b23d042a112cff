#include "media/transcoder.hpp"

extern "C" {
#include <libavutil/log.h>
}

namespace onair::media {

void quiet_codec_logs() { av_log_set_level(AV_LOG_WARNING); }

}  // namespace onair::media
