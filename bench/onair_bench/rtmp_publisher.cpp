#include "bench/onair_bench/rtmp_publisher.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/asio/redirect_error.hpp>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>

#include "net/rtmp/amf0.hpp"
#include "net/rtmp/chunk_parser.hpp"
#include "net/rtmp/chunk_writer.hpp"
#include "net/rtmp/message.hpp"

namespace onair::bench {

namespace {

namespace asio = boost::asio;
namespace rtmp = onair::net::rtmp;
using tcp = asio::ip::tcp;
using asio::awaitable;
using rtmp::amf0_value;

// Chunk stream ids as ffmpeg and OBS use them: 2 protocol control (RTMP spec 5.4), 3 commands,
// 4 audio, 5 data, 6 video (any id >= 3 is valid, 5.3.1.1).
constexpr std::uint32_t csid_control = 2, csid_command = 3, csid_audio = 4, csid_data = 5, csid_video = 6;
constexpr std::uint32_t our_chunk_size = 4096;

std::vector<std::uint8_t> command(std::initializer_list<amf0_value> values) {
  std::vector<std::uint8_t> out;
  for (const auto& v : values) rtmp::amf0_encode(v, out);
  return out;
}

/// Reads messages until a command named `_result`/`_error`/`onStatus` arrives; protocol control
/// messages (Set Chunk Size) are applied by the parser on the way.
awaitable<std::error_code> read_command(tcp::socket& s, rtmp::chunk_parser& parser, std::vector<std::uint8_t>& pending,
                                        std::vector<amf0_value>& out) {
  std::array<std::uint8_t, 16384> buf;
  boost::system::error_code ec;
  for (;;) {
    while (!pending.empty()) {
      auto r = parser.feed(pending);
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      if (r.status == rtmp::feed_status::error) co_return r.ec;
      if (r.status == rtmp::feed_status::need_more) break;
      auto m = parser.take_message();
      if (m.type_id != rtmp::msg_type::command_amf0) continue;
      out.clear();
      if (auto dec = rtmp::amf0_decode_all(*m.payload, out)) co_return dec;
      if (!out.empty() && out[0].type == amf0_value::kind::string) co_return std::error_code{};
    }
    auto n = co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
    pending.insert(pending.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

/// Waits for the reply to transaction `txn` (`_result` or `_error`, RTMP spec 7.2.1.1).
awaitable<std::error_code> await_result(tcp::socket& s, rtmp::chunk_parser& p, std::vector<std::uint8_t>& pending,
                                        double txn, std::vector<amf0_value>& out) {
  for (;;) {
    if (auto ec = co_await read_command(s, p, pending, out)) co_return ec;
    if (out.size() >= 2 && out[1].number == txn) {
      if (out[0].string == "_result") co_return std::error_code{};
      co_return std::make_error_code(std::errc::permission_denied);
    }
  }
}

/// How far each loop of the file is shifted (ms), and the file's earliest timestamp: every stream (audio 8,
/// video 9) of the next loop starts one of its own frame intervals after its latest timestamp in this one,
/// so that each stream's timestamps keep increasing across loops at their own cadence.
/// The file's last tag is not necessarily its latest: ffmpeg's FLV muxer ends a file with the AVC
/// end-of-sequence tag (FLV spec E.4.3.1, AVCPacketType 2) stamped with the last video frame's time, after
/// audio tags up to ~20 ms later. A span taken from the last tag made the next loop's first audio message go
/// back in time (ffmpeg's listening RTMP server, `ffmpeg -listen 1 -i rtmp://...`, logged "Non-monotonous
/// DTS ... previous: 3008, current: 3000"; tests/integration/test_onair_bench_rtmp.py).
struct loop_timing {
  std::uint32_t first = 0;  ///< earliest tag timestamp
  std::uint32_t span = 1;   ///< shift per loop
};

loop_timing loop_timing_of(const std::vector<flv_tag>& tags) {
  loop_timing lt;
  lt.first = std::min_element(tags.begin(), tags.end(), [](const flv_tag& a, const flv_tag& b) {
               return a.timestamp_ms < b.timestamp_ms;
             })->timestamp_ms;
  for (std::uint8_t type : {std::uint8_t{8}, std::uint8_t{9}}) {
    bool seen = false;
    std::uint32_t lo = 0, hi = 0, prev = 0, steps = 0;
    for (const auto& t : tags) {
      if (t.type != type) continue;
      if (!seen) {
        lo = hi = prev = t.timestamp_ms;
        seen = true;
        continue;
      }
      // Frame interval from the timestamp increases only: sequence headers and the end-of-sequence tag
      // share their neighbour's time.
      if (t.timestamp_ms > prev) ++steps;
      prev = t.timestamp_ms;
      hi = std::max(hi, t.timestamp_ms);
    }
    if (!seen) continue;
    const std::uint32_t interval = std::max<std::uint32_t>(1, steps ? (hi - lo) / steps : 0);
    lt.span = std::max(lt.span, hi - lt.first + interval);
  }
  return lt;
}

awaitable<void> drain(std::shared_ptr<tcp::socket> s) {
  // The server's acknowledgements and pings are read and dropped so its send buffer never fills.
  std::array<std::uint8_t, 4096> buf;
  boost::system::error_code ec;
  while (!ec) co_await s->async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

awaitable<std::error_code> run_publisher(publish_job job, tcp::resolver::results_type eps, live_counters& c) {
  auto ex = co_await asio::this_coro::executor;
  auto sock = std::make_shared<tcp::socket>(ex);
  boost::system::error_code ec;
  co_await asio::async_connect(*sock, eps, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  sock->set_option(tcp::no_delay(true), ec);

  // Handshake, plain version (RTMP spec 5.2.2-5.2.4): C0 = version 3; C1 = time, zero, 1528 random bytes.
  // A zero "version" field in C1 tells digest-capable servers that this client does not sign C1.
  std::vector<std::uint8_t> c0c1(1 + 1536);
  c0c1[0] = 3;
  std::mt19937 rng(std::random_device{}());
  for (std::size_t i = 9; i < c0c1.size(); ++i) c0c1[i] = static_cast<std::uint8_t>(rng());
  co_await asio::async_write(*sock, asio::buffer(c0c1), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  std::vector<std::uint8_t> s0s1s2(1 + 1536 + 1536);
  co_await asio::async_read(*sock, asio::buffer(s0s1s2), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  if (s0s1s2[0] != 3) co_return std::make_error_code(std::errc::protocol_error);
  // C2 echoes S1 (5.2.4).
  co_await asio::async_write(*sock, asio::buffer(s0s1s2.data() + 1, 1536), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;

  rtmp::chunk_writer writer;
  rtmp::chunk_parser parser;
  std::vector<std::uint8_t> out, pending;
  std::vector<amf0_value> reply;
  // Set Chunk Size first (5.4.1): 128-byte chunks would cost a header per 128 bytes of video.
  const std::uint8_t size_be[4] = {0, 0, our_chunk_size >> 8, our_chunk_size & 0xff};
  writer.write(csid_control, rtmp::msg_type::set_chunk_size, 0, 0, size_be, out);
  writer.set_chunk_size(our_chunk_size);

  // The path is /app/stream_key; tcUrl is the URL without the key (what OBS and ffmpeg send).
  const auto& t = job.target.target;
  auto key_at = t.rfind('/');
  if (key_at == 0 || key_at == std::string::npos) co_return std::make_error_code(std::errc::invalid_argument);
  const std::string app = t.substr(1, key_at - 1), key = t.substr(key_at + 1);
  const std::string tc_url = "rtmp://" + job.target.host + ":" + job.target.port + "/" + app;
  auto connect = command({amf0_value::make_string("connect"), amf0_value::make_number(1),
                          amf0_value::make_object({{"app", amf0_value::make_string(app)},
                                                   {"type", amf0_value::make_string("nonprivate")},
                                                   {"flashVer", amf0_value::make_string("FMLE/3.0 (compatible; onair-bench)")},
                                                   {"tcUrl", amf0_value::make_string(tc_url)}})});
  writer.write(csid_command, rtmp::msg_type::command_amf0, 0, 0, connect, out);
  co_await asio::async_write(*sock, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  if (auto e = co_await await_result(*sock, parser, pending, 1, reply)) co_return e;

  // releaseStream/FCPublish as FMLE-style encoders send them (nginx-rtmp expects them); then createStream.
  out.clear();
  writer.write(csid_command, rtmp::msg_type::command_amf0, 0, 0,
               command({amf0_value::make_string("releaseStream"), amf0_value::make_number(2), amf0_value::make_null(),
                        amf0_value::make_string(key)}), out);
  writer.write(csid_command, rtmp::msg_type::command_amf0, 0, 0,
               command({amf0_value::make_string("FCPublish"), amf0_value::make_number(3), amf0_value::make_null(),
                        amf0_value::make_string(key)}), out);
  writer.write(csid_command, rtmp::msg_type::command_amf0, 0, 0,
               command({amf0_value::make_string("createStream"), amf0_value::make_number(4), amf0_value::make_null()}), out);
  co_await asio::async_write(*sock, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  if (auto e = co_await await_result(*sock, parser, pending, 4, reply)) co_return e;
  if (reply.size() < 4 || reply[3].type != amf0_value::kind::number) co_return std::make_error_code(std::errc::protocol_error);
  const auto sid = static_cast<std::uint32_t>(reply[3].number);

  // publish(name, "live") and wait for onStatus NetStream.Publish.Start (7.2.2.6).
  out.clear();
  writer.write(csid_command, rtmp::msg_type::command_amf0, sid, 0,
               command({amf0_value::make_string("publish"), amf0_value::make_number(5), amf0_value::make_null(),
                        amf0_value::make_string(key), amf0_value::make_string("live")}), out);
  co_await asio::async_write(*sock, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  for (;;) {
    if (auto e = co_await read_command(*sock, parser, pending, reply)) co_return e;
    if (reply[0].string == "_error") co_return std::make_error_code(std::errc::permission_denied);
    if (reply[0].string != "onStatus" || reply.size() < 4) continue;
    auto code = reply[3].get_string("code");
    if (code == "NetStream.Publish.Start") break;
    if (code.find("Publish") != std::string::npos || reply[3].get_string("level") == "error")
      co_return std::make_error_code(std::errc::permission_denied);
  }

  asio::co_spawn(ex, drain(sock), asio::detached);
  c.active.fetch_add(1, std::memory_order_relaxed);
  // Real-time pacing: tag timestamp t is sent at start + (t - first) + loop * span (loop_timing_of).
  const auto& tags = *job.tags;
  const auto [first, span] = loop_timing_of(tags);
  const auto start = std::chrono::steady_clock::now();
  asio::steady_timer timer(ex);
  std::error_code result;
  std::vector<std::uint8_t> prefixed;
  for (std::uint32_t loop = 0; !result; ++loop) {
    for (std::size_t i = 0; i < tags.size() && !result;) {
      if (mono_ns() >= job.deadline_ns) goto done;
      out.clear();
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
      // Every tag already due goes out in one write.
      for (; i < tags.size(); ++i) {
        const auto& tag = tags[i];
        const std::uint32_t ts = loop * span + (tag.timestamp_ms - first);
        if (ts > now_ms) break;
        std::span<const std::uint8_t> body(reinterpret_cast<const std::uint8_t*>(job.file.data()) + tag.offset, tag.size);
        if (tag.type == 18) {
          // A script tag is onMetaData; a publisher sends it as @setDataFrame (what ffmpeg's flv-over-RTMP does).
          if (loop > 0) continue;
          prefixed.clear();
          rtmp::amf0_encode(amf0_value::make_string("@setDataFrame"), prefixed);
          prefixed.insert(prefixed.end(), body.begin(), body.end());
          writer.write(csid_data, rtmp::msg_type::data_amf0, sid, ts, prefixed, out);
        } else {
          writer.write(tag.type == 8 ? csid_audio : csid_video, tag.type, sid, ts, body, out);
        }
        c.units.fetch_add(1, std::memory_order_relaxed);
      }
      if (!out.empty()) {
        co_await asio::async_write(*sock, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          result = ec;
          break;
        }
        c.bytes.fetch_add(static_cast<std::int64_t>(out.size()), std::memory_order_relaxed);
      }
      if (i < tags.size()) {
        const auto due = start + std::chrono::milliseconds(loop * span + (tags[i].timestamp_ms - first));
        timer.expires_at(std::min(due, std::chrono::steady_clock::now() + std::chrono::milliseconds(200)));
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
    }
  }
done:
  c.active.fetch_sub(1, std::memory_order_relaxed);
  // A clean end: deleteStream (7.2.2.3) so the server ends the publish at once instead of on EOF.
  if (!result) {
    out.clear();
    writer.write(csid_command, rtmp::msg_type::command_amf0, 0, 0,
                 command({amf0_value::make_string("deleteStream"), amf0_value::make_number(6), amf0_value::make_null(),
                          amf0_value::make_number(sid)}), out);
    co_await asio::async_write(*sock, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
  }
  sock->shutdown(tcp::socket::shutdown_both, ec);
  sock->close(ec);
  co_return result;
}

}  // namespace onair::bench
