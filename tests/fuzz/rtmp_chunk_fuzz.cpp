// Fuzz target: the chunk parser alone, then a whole session (plain handshake prepended, publish
// auto-accepted) so that commands, AMF0 and FLV parsing run on the mutated chunk stream.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <spdlog/spdlog.h>

#include "net/rtmp/chunk_parser.hpp"
#include "net/rtmp/session.hpp"

namespace {

using namespace onair::net::rtmp;

class null_sink final : public ingest_sink {
 public:
  void on_metadata(onair::media::stream_metadata) override {}
  void on_video_config(onair::media::video_config) override {}
  void on_audio_config(onair::media::audio_config) override {}
  void on_media_warning(std::string) override {}
  void on_frame(onair::media::frame f) override {
    const auto s = f.data.span();  // touch the view: it must stay inside its buffer
    if (!s.empty()) sum_ += s.front() + s.back();
  }
  void on_end() override {
    if (++ends_ > 1) __builtin_trap();  // exactly once
  }
  unsigned sum_ = 0;
  int ends_ = 0;
};

class accepting_host final : public session_host {
 public:
  void on_publish_request(const std::string&, const std::string&) override { asked = true; }
  bool asked = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {  // the session logs every connect/publish: silence it while fuzzing
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] * 8;
  std::span<const std::uint8_t> in(data + 1, size - 1);

  chunk_parser parser(chunk_parser_limits{64 * 1024, 16});
  for (auto rest = in; !rest.empty();) {
    const auto chunk = rest.first(std::min(piece, rest.size()));
    const auto r = parser.feed(chunk);
    if (r.status == feed_status::error) break;
    if (r.status == feed_status::ok) (void)parser.take_message();
    rest = rest.subspan(r.consumed);
  }

  accepting_host host;
  auto sink = std::make_shared<null_sink>();
  session_options opts;
  opts.max_message_size = 64 * 1024;
  {
    session sess(opts, host, 1, "fuzz", [](std::span<std::uint8_t> out) {
      for (auto& b : out) b = 0;
    });
    std::vector<std::uint8_t> hs(1 + 2 * handshake_size, 0);
    hs[0] = 3;
    sess.feed(hs);
    for (auto rest = in; !rest.empty();) {
      const auto chunk = rest.first(std::min(piece, rest.size()));
      sess.feed(chunk);
      if (host.asked) {
        host.asked = false;
        sess.on_publish_decision(publish_decision{sink, {}, {}});
      }
      sess.output().clear();
      rest = rest.subspan(chunk.size());
    }
  }
  if (sink->ends_ > 1) __builtin_trap();
  return 0;
}
