#include "net/rtmp/chunk_parser.hpp"

#include <algorithm>
#include <cstring>

#include "net/rtmp/errc.hpp"

namespace onair::net::rtmp {

namespace {

constexpr std::uint32_t extended_marker = 0xffffff;        // RTMP spec 5.3.1.3
constexpr std::size_t initial_reserve_cap = 1024 * 1024;    // grow beyond this only as bytes arrive
constexpr std::size_t message_header_len[4] = {11, 7, 3, 0};  // RTMP spec 5.3.1.2.1-4

std::uint32_t be24(const std::uint8_t* p) { return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2]; }
std::uint32_t be32(const std::uint8_t* p) { return (std::uint32_t{p[0]} << 24) | be24(p + 1); }
std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}

}  // namespace

chunk_parser::chunk_parser(chunk_parser_limits limits) : limits_(limits) {
  streams_.reserve(std::min<std::size_t>(limits_.max_chunk_streams, 64));
}

chunk_parser::chunk_stream* chunk_parser::find(std::uint32_t csid) {
  for (auto& s : streams_)
    if (s.csid == csid) return &s;
  return nullptr;
}

feed_result chunk_parser::feed(std::span<const std::uint8_t> in) {
  feed_result r;
  auto fail = [&](std::error_code ec) {
    state_ = state::failed;
    r.status = feed_status::error;
    r.ec = ec;
    return r;
  };
  if (state_ == state::failed) return fail(errc::protocol_violation);

  // Copies header bytes into hdr_ until it holds `need`; false when the input ran out first.
  auto fill = [&](std::size_t need) {
    const std::size_t n = std::min(need > hdr_have_ ? need - hdr_have_ : 0, in.size() - r.consumed);
    std::memcpy(hdr_ + hdr_have_, in.data() + r.consumed, n);
    hdr_have_ += n;
    r.consumed += n;
    return hdr_have_ >= need;
  };

  while (r.consumed < in.size()) {
    if (state_ == state::header) {
      // Basic header, RTMP spec 5.3.1.1: fmt(2) + csid(6); csid 0 => one more byte (64-319),
      // csid 1 => two more bytes, little-endian (64-65599).
      if (!fill(1)) break;
      const int fmt = hdr_[0] >> 6;
      const std::uint32_t low = hdr_[0] & 0x3f;
      const std::size_t basic_len = low == 0 ? 2 : low == 1 ? 3 : 1;
      std::size_t need = basic_len + message_header_len[fmt];
      if (!fill(need)) break;
      const std::uint32_t csid = low == 0   ? 64 + hdr_[1]
                                 : low == 1 ? 64 + hdr_[1] + (std::uint32_t{hdr_[2]} << 8)
                                            : low;
      // Extended timestamp, 5.3.1.3: present when the 24-bit field is 0xFFFFFF; a type 3 chunk carries
      // it again when its chunk stream's last type 0/1/2 header did.
      bool extended = false;
      if (fmt < 3) {
        extended = be24(hdr_ + basic_len) == extended_marker;
      } else if (const auto* cs = find(csid)) {
        extended = cs->has_header && cs->extended;
      }
      if (extended) need += 4;
      if (!fill(need)) break;
      if (auto ec = apply_header(fmt, basic_len, csid)) return fail(ec);
      hdr_have_ = 0;
      if (chunk_left_ == 0) {  // a zero-length message (or a chunk the ext-ts quirk completed)
        if (streams_[cur_].payload.size() == streams_[cur_].length) {
          if (auto ec = complete_message()) return fail(ec);
          r.status = feed_status::ok;
          return r;
        }
        continue;
      }
      state_ = state::payload;
    } else {
      auto& cs = streams_[cur_];
      const std::size_t n = std::min<std::size_t>(chunk_left_, in.size() - r.consumed);
      cs.payload.insert(cs.payload.end(), in.begin() + static_cast<std::ptrdiff_t>(r.consumed),
                        in.begin() + static_cast<std::ptrdiff_t>(r.consumed + n));
      r.consumed += n;
      chunk_left_ -= static_cast<std::uint32_t>(n);
      if (chunk_left_ > 0) break;
      state_ = state::header;
      if (cs.payload.size() == cs.length) {
        if (auto ec = complete_message()) return fail(ec);
        r.status = feed_status::ok;
        return r;
      }
    }
  }
  r.status = feed_status::need_more;
  return r;
}

std::error_code chunk_parser::apply_header(int fmt, std::size_t basic_len, std::uint32_t csid) {
  chunk_stream* cs = find(csid);
  if (!cs) {
    // RTMP spec 5.3.1.2.1: the first chunk of a chunk stream must be type 0.
    if (fmt != 0) return errc::missing_chunk_header;
    if (streams_.size() >= limits_.max_chunk_streams) return errc::too_many_chunk_streams;
    streams_.emplace_back().csid = csid;
    cs = &streams_.back();
  }
  cur_ = static_cast<std::size_t>(cs - streams_.data());
  const std::uint8_t* p = hdr_ + basic_len;

  auto start_message = [&] {
    cs->in_progress = true;
    cs->payload.clear();
    cs->payload.reserve(std::min<std::size_t>(cs->length, initial_reserve_cap));
  };

  std::size_t moved = 0;  // payload bytes that arrived in the extended-timestamp slot (quirk below)
  if (fmt < 3) {
    if (!cs->has_header && fmt != 0) return errc::missing_chunk_header;
    std::uint32_t ts = be24(p);  // timestamp (type 0) or timestamp delta (types 1, 2)
    cs->extended = ts == extended_marker;
    if (cs->extended) {
      ts = be32(p + message_header_len[fmt]);
      cs->extended_value = ts;
    }
    if (fmt <= 1) {
      cs->length = be24(p + 3);  // message length, 5.3.1.2.1/2
      cs->type_id = p[6];
    }
    if (fmt == 0) {
      cs->stream_id = le32(p + 7);  // message stream id is little-endian (5.3.1.2.1)
      cs->timestamp = ts;
      // A later type 3 chunk that starts a new message adds this as its delta: the rule ffmpeg's
      // reader and writer share (its writer emits type 3 when the "ts field" repeats).
      cs->delta = ts;
    } else {
      cs->delta = ts;
      cs->timestamp += ts;  // 32-bit arithmetic: RTMP timestamps wrap (5.3.1.3)
    }
    if (cs->length > limits_.max_message_size) return errc::message_too_large;
    // A new type 0/1/2 header while a message is unfinished abandons it (as if aborted).
    start_message();
  } else {
    if (!cs->has_header) return errc::missing_chunk_header;
    if (cs->extended) {
      const std::uint32_t v = be32(p);
      const std::size_t remaining = cs->length - cs->payload.size();
      // Quirk: some encoders omit the extended timestamp in type 3 continuation chunks that the spec
      // (5.3.1.3) says repeat it. A value that differs from the header's is then payload.
      if (v != cs->extended_value && cs->in_progress && remaining >= 4 && chunk_size_ >= 4) {
        cs->payload.insert(cs->payload.end(), p, p + 4);
        moved = 4;
      }
    }
    if (!cs->in_progress) {
      cs->timestamp += cs->delta;  // 5.3.1.2.4: a new message with the previous delta
      start_message();
    }
  }
  cs->has_header = true;
  const std::size_t before = cs->payload.size() - moved;
  chunk_left_ = static_cast<std::uint32_t>(std::min<std::size_t>(chunk_size_, cs->length - before) - moved);
  return {};
}

std::error_code chunk_parser::complete_message() {
  auto& cs = streams_[cur_];
  ready_.csid = cs.csid;
  ready_.type_id = cs.type_id;
  ready_.stream_id = cs.stream_id;
  ready_.timestamp = cs.timestamp;
  ready_.payload = media::make_shared_bytes(std::move(cs.payload));
  cs.payload = {};
  cs.in_progress = false;

  const auto& body = *ready_.payload;
  if (ready_.type_id == msg_type::set_chunk_size && body.size() >= 4) {
    // RTMP spec 5.4.1: 31-bit size, bit 31 must be zero; valid sizes are 1..0x7FFFFFFF.
    if (body[0] & 0x80) return errc::bad_chunk_size;
    const std::uint32_t size = be32(body.data());
    if (size == 0) return errc::bad_chunk_size;
    chunk_size_ = size;
  } else if (ready_.type_id == msg_type::abort && body.size() >= 4) {
    // RTMP spec 5.4.2: discard the partly received message of that chunk stream.
    if (auto* target = find(be32(body.data()))) {
      target->in_progress = false;
      target->payload.clear();
    }
  }
  return {};
}

}  // namespace onair::net::rtmp
