#pragma once
// The master playlist the HLS delivery and steering tests share: a rendition group, a CRLF line ending
// and quoted commas in CODECS, the shapes a master rewrite must keep byte for byte.
#include <string_view>

namespace onair::net::testing {

inline constexpr std::string_view sample_master =
    "#EXTM3U\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio/index.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"a\"\n"
    "source/index.m3u8\r\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\n"
    "audio/index.m3u8\n";

}  // namespace onair::net::testing
