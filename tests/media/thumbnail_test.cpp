// make_thumbnail (media/transcoder.hpp): a JPEG from one H.264 keyframe, decoded back with libavcodec.
#include <gtest/gtest.h>

#include "av_test_source.hpp"
#include "media/transcoder.hpp"
#include "transcode_test_util.hpp"

namespace {

using namespace onair::media;
namespace t = onair::media::test;

const t::test_stream& source() {
  t::source_options o;
  o.seconds = 1;
  o.width = 640;
  o.height = 360;
  o.gop = 15;
  o.audio = false;
  return t::cached_stream(o);
}

const frame& nth_video(std::size_t n, bool keyframe) {
  for (const auto& f : source().frames)
    if (f.kind == track_kind::video && f.keyframe == keyframe && n-- == 0) return f;
  throw std::runtime_error("no such frame");
}

void expect_jpeg(const std::vector<std::uint8_t>& jpeg, int w, int h) {
  ASSERT_GT(jpeg.size(), 4u);
  EXPECT_EQ(jpeg[0], 0xff);  // SOI (ITU-T T.81 B.1.1.3)
  EXPECT_EQ(jpeg[1], 0xd8);
  EXPECT_EQ(jpeg[jpeg.size() - 2], 0xff);  // EOI
  EXPECT_EQ(jpeg[jpeg.size() - 1], 0xd9);
  const auto size = t::decode_jpeg(jpeg);
  ASSERT_TRUE(size);
  EXPECT_EQ(size->first, w);
  EXPECT_EQ(size->second, h);
}

TEST(thumbnail, keyframe_becomes_a_jpeg_of_the_requested_width_with_the_aspect_kept) {
  std::error_code ec;
  auto jpeg = make_thumbnail(*source().video, nth_video(0, true), 320, ec);
  ASSERT_TRUE(jpeg) << ec.message();
  expect_jpeg(*jpeg, 320, 180);
  // Odd widths round down to even and the height to the nearest even: 301 -> 300 x 168.75 -> 168.
  jpeg = make_thumbnail(*source().video, nth_video(1, true), 301, ec);
  ASSERT_TRUE(jpeg) << ec.message();
  expect_jpeg(*jpeg, 300, 168);
}

TEST(thumbnail, errors_are_values) {
  std::error_code ec;
  EXPECT_FALSE(make_thumbnail(video_config{}, nth_video(0, true), 320, ec));
  EXPECT_EQ(ec, transcode_errc::unsupported_codec);
  // A P-frame alone has no reference picture: nothing to show.
  EXPECT_FALSE(make_thumbnail(*source().video, nth_video(3, false), 320, ec));
  EXPECT_EQ(ec, transcode_errc::decoder_error);
  EXPECT_FALSE(make_thumbnail(*source().video, nth_video(0, true), 0, ec));
  EXPECT_TRUE(ec);
}

}  // namespace
