#pragma once
// Helpers for the RTMP tests: a scripted client (chunk_writer + AMF0) and a decoder of server output.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "net/rtmp/amf0.hpp"
#include "net/rtmp/chunk_parser.hpp"
#include "net/rtmp/chunk_writer.hpp"
#include "net/rtmp/handshake.hpp"
#include "net/rtmp/publish_handler.hpp"

namespace onair::net::rtmp::test {

inline amf0_value s(std::string v) { return amf0_value::make_string(std::move(v)); }
inline amf0_value n(double v) { return amf0_value::make_number(v); }
inline amf0_value null() { return amf0_value::make_null(); }
inline amf0_value obj(std::vector<amf0_property> p) { return amf0_value::make_object(std::move(p)); }

inline std::vector<std::uint8_t> amf(const std::vector<amf0_value>& values) {
  std::vector<std::uint8_t> out;
  for (const auto& v : values) amf0_encode(v, out);
  return out;
}

/// A scripted publisher: a plain handshake, then messages chunked at `chunk_size`.
struct client {
  chunk_writer writer;
  std::vector<std::uint8_t> bytes;

  /// C0 + C1 (zero version: plain handshake, RTMP spec 5.2.3) + C2.
  void handshake() {
    bytes.push_back(3);
    bytes.resize(1 + handshake_size, 0);
    for (std::size_t i = 8; i < handshake_size; ++i) bytes[1 + i] = static_cast<std::uint8_t>(i * 7);
    bytes.resize(1 + 2 * handshake_size, 0x55);
  }
  void command(std::uint32_t stream_id, const std::vector<amf0_value>& v, std::uint32_t csid = 3) {
    writer.write(csid, 20, stream_id, 0, amf(v), bytes);
  }
  void connect(const std::string& app) {
    command(0, {s("connect"), n(1),
                obj({{"app", s(app)}, {"type", s("nonprivate")}, {"tcUrl", s("rtmp://127.0.0.1:1935/" + app)}})});
  }
  void message(std::uint8_t type, std::uint32_t stream_id, std::uint32_t ts, std::vector<std::uint8_t> body,
               std::uint32_t csid = 6) {
    writer.write(csid, type, stream_id, ts, body, bytes);
  }
  void set_chunk_size(std::uint32_t size) {
    writer.write(2, 1, 0, 0, std::vector<std::uint8_t>{static_cast<std::uint8_t>(size >> 24),
                                                       static_cast<std::uint8_t>(size >> 16),
                                                       static_cast<std::uint8_t>(size >> 8),
                                                       static_cast<std::uint8_t>(size)},
                 bytes);
    writer.set_chunk_size(size);
  }
};

/// A decoded server->client message.
struct server_message {
  std::uint8_t type = 0;
  std::uint32_t stream_id = 0;
  std::vector<std::uint8_t> body;
  std::vector<amf0_value> amf;  // for command messages
  std::string name() const { return !amf.empty() ? amf[0].string : std::string{}; }
};

/// Decodes server output: skips S0+S1+S2 when `with_handshake`, then de-chunks (following Set Chunk Size).
inline std::vector<server_message> decode_output(const std::vector<std::uint8_t>& out, bool with_handshake = true) {
  std::vector<server_message> msgs;
  std::span<const std::uint8_t> in(out);
  if (with_handshake) in = in.subspan(1 + 2 * handshake_size);
  chunk_parser p;
  while (!in.empty()) {
    auto r = p.feed(in);
    in = in.subspan(r.consumed);
    if (r.status == feed_status::error) break;
    if (r.status == feed_status::ok) {
      auto m = p.take_message();
      server_message sm;
      sm.type = m.type_id;
      sm.stream_id = m.stream_id;
      sm.body = *m.payload;
      if (m.type_id == 20) (void)amf0_decode_all(sm.body, sm.amf);
      msgs.push_back(std::move(sm));
    }
  }
  return msgs;
}

/// Records everything a sink receives (thread-safe: the server calls it from io threads).
class recording_sink final : public ingest_sink {
 public:
  void on_metadata(media::stream_metadata md) override {
    std::lock_guard l(mu);
    metadata.push_back(std::move(md));
  }
  void on_video_config(media::video_config cfg) override {
    std::lock_guard l(mu);
    video_configs.push_back(std::move(cfg));
  }
  void on_audio_config(media::audio_config cfg) override {
    std::lock_guard l(mu);
    audio_configs.push_back(std::move(cfg));
  }
  void on_frame(media::frame f) override {
    std::lock_guard l(mu);
    if (ended) ++after_end;
    frames.push_back(std::move(f));
  }
  void on_media_warning(std::string what) override {
    std::lock_guard l(mu);
    warnings.push_back(std::move(what));
  }
  void on_end() override {
    std::lock_guard l(mu);
    ++ends;
    ended = true;
  }

  std::vector<std::string> warnings;
  std::size_t frame_count(media::track_kind k) {
    std::lock_guard l(mu);
    std::size_t c = 0;
    for (const auto& f : frames) c += f.kind == k;
    return c;
  }
  std::size_t keyframe_count() {
    std::lock_guard l(mu);
    std::size_t c = 0;
    for (const auto& f : frames) c += f.kind == media::track_kind::video && f.keyframe;
    return c;
  }
  int end_count() {
    std::lock_guard l(mu);
    return ends;
  }

  std::mutex mu;
  std::vector<media::stream_metadata> metadata;
  std::vector<media::video_config> video_configs;
  std::vector<media::audio_config> audio_configs;
  std::vector<media::frame> frames;
  int ends = 0;
  bool ended = false;
  int after_end = 0;
};

}  // namespace onair::net::rtmp::test
