#include "net/rtmp/session.hpp"

#include <spdlog/spdlog.h>

#include <variant>

#include "media/flv.hpp"
#include "net/rtmp/amf0.hpp"
#include "net/rtmp/errc.hpp"

namespace onair::net::rtmp {

namespace {

// Chunk stream ids we send on (conventional: 2 protocol control, 3 commands, 5 stream status).
constexpr std::uint32_t csid_control = 2;
constexpr std::uint32_t csid_command = 3;
constexpr std::uint32_t csid_status = 5;

// User Control event types, RTMP spec 7.1.7.
constexpr std::uint16_t uc_stream_begin = 0;
constexpr std::uint16_t uc_ping_request = 6;
constexpr std::uint16_t uc_ping_response = 7;

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

/// "name?token=..." -> "name": query strings ride along in app and publish names (OBS custom URLs).
std::string strip_query(std::string s) {
  if (const auto q = s.find('?'); q != std::string::npos) s.resize(q);
  return s;
}

using props = std::vector<amf0_property>;

amf0_value str(std::string s) { return amf0_value::make_string(std::move(s)); }
amf0_value num(double d) { return amf0_value::make_number(d); }

}  // namespace

std::int64_t session::unwrapper::operator()(std::uint32_t ts) {
  if (!init) {
    init = true;
    value = ts;
  } else {
    value += static_cast<std::int32_t>(ts - last);  // nearest step modulo 2^32
  }
  last = ts;
  return value;
}

session::session(session_options opts, session_host& host, std::uint64_t connection_id, std::string peer,
                 std::function<void(std::span<std::uint8_t>)> random)
    : opts_(std::move(opts)),
      host_(host),
      connection_id_(connection_id),
      peer_(std::move(peer)),
      handshake_(std::move(random)),
      parser_(chunk_parser_limits{opts_.max_message_size, 64}) {}

session::~session() { close(); }

feed_result session::feed(std::span<const std::uint8_t> in) {
  feed_result r;
  r.consumed = in.size();
  r.status = feed_status::need_more;
  bytes_in_ += in.size();
  if (closed_ || wants_close_) return r;  // draining: nothing more is interpreted
  if (!handshake_.done()) {
    const auto h = handshake_.feed(in, out_);
    if (h.status == feed_status::error) {
      fail(h.ec, "handshake");
      r.status = feed_status::error;
      r.ec = h.ec;
      return r;
    }
    in = in.subspan(h.consumed);
    if (handshake_.done())
      spdlog::debug("rtmp conn={} peer={} handshake done ({})", connection_id_, peer_,
                    handshake_.client_kind() == handshake::kind::plain ? "plain" : "digest");
  }
  while (!in.empty() && !wants_close_) {
    const auto c = parser_.feed(in);
    in = in.subspan(c.consumed);
    if (c.status == feed_status::error) {
      fail(c.ec, "chunk stream");
      break;
    }
    if (c.status == feed_status::ok) handle(parser_.take_message());
  }
  maybe_acknowledge();
  if (error_) {
    r.status = feed_status::error;
    r.ec = error_;
  }
  return r;
}

void session::fail(std::error_code ec, const char* what) {
  spdlog::warn("rtmp conn={} peer={} {} error: {}", connection_id_, peer_, what, ec.message());
  if (!error_) error_ = ec;
  wants_close_ = true;
}

void session::maybe_acknowledge() {
  // RTMP spec 5.4.3: acknowledge once the bytes received since the last acknowledgement reach the
  // window the client announced; the sequence number is the total received so far (mod 2^32).
  if (peer_window_ == 0 || wants_close_ || bytes_in_ - acked_at_ < peer_window_) return;
  acked_at_ = bytes_in_;
  std::vector<std::uint8_t> body;
  put_be32(body, static_cast<std::uint32_t>(bytes_in_));
  send_control(msg_type::acknowledgement, body);
}

void session::handle(message&& m) {
  if (publish_ == publish_state::pending) {
    // Keep order while the handler decides: media, metadata and even FCUnpublish wait their turn.
    pending_bytes_ += m.payload->size();
    if (pending_.size() >= opts_.max_pending_messages || pending_bytes_ > opts_.max_pending_bytes) {
      fail(errc::too_many_pending, "publish");
      return;
    }
    pending_.push_back(std::move(m));
    return;
  }
  const auto& body = *m.payload;
  switch (m.type_id) {
    case msg_type::set_chunk_size:
    case msg_type::abort:
    case msg_type::acknowledgement:
    case msg_type::set_peer_bandwidth:
      return;  // applied by the chunk parser / nothing to do for an ingest server
    case msg_type::window_ack_size:
      if (body.size() >= 4)
        peer_window_ = (std::uint32_t{body[0]} << 24) | (std::uint32_t{body[1]} << 16) |
                       (std::uint32_t{body[2]} << 8) | body[3];
      return;
    case msg_type::user_control:
      handle_user_control(m);
      return;
    case msg_type::command_amf0:
      handle_command(m, 0);
      return;
    case msg_type::command_amf3:
      handle_command(m, 1);  // 7.1.1: AMF3 command messages start with a format byte, then AMF0
      return;
    case msg_type::data_amf0:
      handle_data(m, 0);
      return;
    case msg_type::data_amf3:
      handle_data(m, 1);
      return;
    case msg_type::audio:
    case msg_type::video:
      handle_media(m, media::bytes_view{m.payload, 0, body.size()}, m.timestamp);
      return;
    case msg_type::aggregate:
      handle_aggregate(m);
      return;
    default:
      spdlog::debug("rtmp conn={} peer={} ignoring message type {}", connection_id_, peer_, m.type_id);
  }
}

void session::handle_user_control(const message& m) {
  const auto& b = *m.payload;
  if (b.size() < 6) return;
  const auto event = static_cast<std::uint16_t>((b[0] << 8) | b[1]);
  if (event == uc_ping_request) {  // 7.1.7: answer with the same timestamp
    std::vector<std::uint8_t> body{0, static_cast<std::uint8_t>(uc_ping_response), b[2], b[3], b[4], b[5]};
    send_control(msg_type::user_control, body);
  }
}

void session::handle_aggregate(const message& m) {
  // RTMP spec 7.1.6: FLV-tag-like sub-messages: type(1) size(3) timestamp(3)+ext(1) stream id(3),
  // body, back pointer(4). Sub-timestamps are rebased onto the aggregate's own timestamp.
  const auto& b = *m.payload;
  std::size_t pos = 0;
  bool first = true;
  std::uint32_t first_ts = 0;
  while (b.size() - pos >= 11) {
    const std::uint8_t type = b[pos];
    const std::size_t size = (std::size_t{b[pos + 1]} << 16) | (std::size_t{b[pos + 2]} << 8) | b[pos + 3];
    const std::uint32_t ts = (std::uint32_t{b[pos + 7]} << 24) | (std::uint32_t{b[pos + 4]} << 16) |
                             (std::uint32_t{b[pos + 5]} << 8) | b[pos + 6];
    pos += 11;
    if (b.size() - pos < size) return;
    if (first) {
      first_ts = ts;
      first = false;
    }
    if (type == msg_type::audio || type == msg_type::video) {
      message sub;
      sub.type_id = type;
      sub.stream_id = m.stream_id;
      handle_media(sub, media::bytes_view{m.payload, pos, size}, m.timestamp + (ts - first_ts));
    }
    pos += size;
    if (b.size() - pos < 4) return;
    pos += 4;
  }
}

void session::handle_media(const message& m, media::bytes_view body, std::uint32_t timestamp) {
  if (publish_ != publish_state::publishing || !sink_) return;  // media before publish: dropped
  std::error_code ec;
  if (m.type_id == msg_type::video) {
    auto item = media::flv::parse_video(body, video_ts_(timestamp), ec);
    if (ec) {
      if (!warned_video_) {
        spdlog::warn("rtmp conn={} peer={} key={} video dropped: {}", connection_id_, peer_, redacted_key(), ec.message());
        sink_->on_media_warning("video dropped: " + ec.message());
      }
      warned_video_ = true;
      return;
    }
    if (auto* cfg = std::get_if<media::video_config>(&item)) {
      cfg->frame_rate = meta_frame_rate_;
      spdlog::info("rtmp conn={} peer={} key={} video config {}x{} profile {} level {}", connection_id_, peer_,
                   redacted_key(), cfg->width, cfg->height, cfg->profile, cfg->level);
      sink_->on_video_config(std::move(*cfg));
    } else if (auto* f = std::get_if<media::frame>(&item)) {
      sink_->on_frame(std::move(*f));
    }
  } else {
    auto item = media::flv::parse_audio(body, audio_ts_(timestamp), ec);
    if (ec) {
      if (!warned_audio_) {
        spdlog::warn("rtmp conn={} peer={} key={} audio dropped: {}", connection_id_, peer_, redacted_key(), ec.message());
        sink_->on_media_warning("audio dropped: " + ec.message());
      }
      warned_audio_ = true;
      return;
    }
    if (auto* cfg = std::get_if<media::audio_config>(&item)) {
      spdlog::info("rtmp conn={} peer={} key={} audio config object type {} {} Hz {} ch", connection_id_, peer_,
                   redacted_key(), cfg->object_type, cfg->sample_rate, cfg->channels);
      sink_->on_audio_config(std::move(*cfg));
    } else if (auto* f = std::get_if<media::frame>(&item)) {
      sink_->on_frame(std::move(*f));
    }
  }
}

void session::handle_data(const message& m, std::size_t skip) {
  const auto& b = *m.payload;
  if (b.size() < skip) return;
  std::vector<amf0_value> v;
  // A malformed data message is not worth dropping a live publisher for: keep what decoded.
  (void)amf0_decode_all(std::span<const std::uint8_t>(b).subspan(skip), v);
  std::size_t i = 0;
  if (i < v.size() && v[i].type == amf0_value::kind::string && v[i].string == "@setDataFrame") ++i;
  if (i + 1 >= v.size() || v[i].type != amf0_value::kind::string || v[i].string != "onMetaData") return;
  const auto& obj = v[i + 1];
  if (obj.type != amf0_value::kind::object && obj.type != amf0_value::kind::ecma_array) return;
  media::stream_metadata md;
  md.width = static_cast<int>(obj.get_number("width"));
  md.height = static_cast<int>(obj.get_number("height"));
  md.frame_rate = obj.get_number("framerate", obj.get_number("videoframerate"));
  md.video_kbps = obj.get_number("videodatarate");
  md.audio_kbps = obj.get_number("audiodatarate");
  md.encoder = obj.get_string("encoder");
  meta_frame_rate_ = md.frame_rate;
  if (publish_ != publish_state::publishing || !sink_) return;
  spdlog::info("rtmp conn={} peer={} key={} metadata {}x{} {} fps encoder '{}'", connection_id_, peer_,
               redacted_key(), md.width, md.height, md.frame_rate, md.encoder);
  sink_->on_metadata(std::move(md));
}

void session::handle_command(const message& m, std::size_t skip) {
  const auto& b = *m.payload;
  if (b.size() < skip) return;
  std::vector<amf0_value> v;
  if (auto ec = amf0_decode_all(std::span<const std::uint8_t>(b).subspan(skip), v)) {
    fail(ec, "command");
    return;
  }
  // RTMP spec 7.1.1: command name (string), transaction id (number), command object, arguments.
  if (v.size() < 2 || v[0].type != amf0_value::kind::string || v[1].type != amf0_value::kind::number) {
    fail(errc::bad_command, "command");
    return;
  }
  const std::string& name = v[0].string;
  const double txn = v[1].number;
  spdlog::debug("rtmp conn={} peer={} command {} txn {}", connection_id_, peer_, name, txn);

  if (name == "connect") {
    on_connect(txn, v);
  } else if (!connected_) {
    fail(errc::protocol_violation, name.c_str());
  } else if (name == "releaseStream" || name == "FCPublish") {
    // Not in the spec; FMS-era calls that OBS and ffmpeg send before createStream (OBS: releaseStream,
    // FCPublish, createStream). Answered with an empty _result, as FMS-compatible servers do.
    send_amf(csid_command, 0, {str("_result"), num(txn), amf0_value::make_null(), amf0_value::make_undefined()});
  } else if (name == "createStream") {
    // 7.2.1.3: _result carries the new message stream id.
    send_amf(csid_command, 0, {str("_result"), num(txn), amf0_value::make_null(), num(next_stream_id_++)});
  } else if (name == "publish") {
    on_publish(m, txn, v);
  } else if (name == "FCUnpublish") {
    send_amf(csid_command, 0,
             {str("onFCUnpublish"), num(0), amf0_value::make_null(),
              amf0_value::make_object(props{{"level", str("status")},
                                            {"code", str("NetStream.Unpublish.Success")},
                                            {"description", str(stream_key_)}})});
    send_amf(csid_command, 0, {str("_result"), num(txn), amf0_value::make_null(), amf0_value::make_undefined()});
    end_publish("FCUnpublish");
  } else if (name == "deleteStream" || name == "closeStream") {
    end_publish(name.c_str());  // 7.2.2.3; no response is defined
  } else if (name == "play" || name == "play2") {
    // Ingest only: viewers use HLS.
    send_status(m.stream_id, "error", "NetStream.Play.Failed", "playback is served over HLS, not RTMP");
    wants_close_ = true;
  } else if (txn != 0 && name != "_result" && name != "_error" && name != "onStatus") {
    // Unknown calls that expect an answer (e.g. getStreamLength, _checkbw) get a neutral _result so
    // the client does not wait.
    send_amf(csid_command, 0, {str("_result"), num(txn), amf0_value::make_null(), amf0_value::make_undefined()});
  }
}

void session::on_connect(double txn, const std::vector<amf0_value>& v) {
  if (connected_) {
    fail(errc::protocol_violation, "second connect");
    return;
  }
  static const amf0_value empty;
  const amf0_value& cmd = v.size() > 2 ? v[2] : empty;
  tc_url_ = cmd.get_string("tcUrl");
  app_ = strip_query(cmd.get_string("app"));
  while (!app_.empty() && app_.back() == '/') app_.pop_back();
  if (app_.empty() && !tc_url_.empty()) {
    // No app: take the first path segment of tcUrl (rtmp://host:port/APP[/...]).
    const auto scheme = tc_url_.find("://");
    const auto slash = tc_url_.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (slash != std::string::npos) {
      app_ = strip_query(tc_url_.substr(slash + 1));
      if (const auto s = app_.find('/'); s != std::string::npos) app_.resize(s);
    }
  }
  if (app_ != opts_.app) {
    spdlog::warn("rtmp conn={} peer={} connect rejected: app '{}' (tcUrl '{}')", connection_id_, peer_, app_, tc_url_);
    send_amf(csid_command, 0,
             {str("_error"), num(txn), amf0_value::make_null(),
              amf0_value::make_object(props{{"level", str("error")},
                                            {"code", str("NetConnection.Connect.Rejected")},
                                            {"description", str("unknown application '" + app_ + "', use rtmp://HOST/" +
                                                                opts_.app + "/STREAM_KEY")}})});
    wants_close_ = true;
    return;
  }
  connected_ = true;
  spdlog::info("rtmp conn={} peer={} connect app '{}' tcUrl '{}' flashVer '{}'", connection_id_, peer_, app_,
               tc_url_, cmd.get_string("flashVer"));

  std::vector<std::uint8_t> body;
  put_be32(body, opts_.window_ack_size);  // 5.4.4 Window Acknowledgement Size
  send_control(msg_type::window_ack_size, body);
  body.clear();
  put_be32(body, opts_.window_ack_size);  // 5.4.5 Set Peer Bandwidth, limit type 2 = dynamic
  body.push_back(2);
  send_control(msg_type::set_peer_bandwidth, body);
  body.clear();
  put_be32(body, opts_.out_chunk_size & 0x7fffffff);  // 5.4.1 Set Chunk Size, then use it
  send_control(msg_type::set_chunk_size, body);
  writer_.set_chunk_size(opts_.out_chunk_size & 0x7fffffff);
  body = {0, static_cast<std::uint8_t>(uc_stream_begin), 0, 0, 0, 0};  // 7.1.7 Stream Begin, stream 0
  send_control(msg_type::user_control, body);

  // 7.2.1.1: _result with the server's properties and the NetConnection.Connect.Success status.
  send_amf(csid_command, 0,
           {str("_result"), num(txn),
            amf0_value::make_object(props{{"fmsVer", str("FMS/3,5,7,7009")}, {"capabilities", num(31)}, {"mode", num(1)}}),
            amf0_value::make_object(props{{"level", str("status")},
                                          {"code", str("NetConnection.Connect.Success")},
                                          {"description", str("Connection succeeded.")},
                                          {"objectEncoding", num(cmd.get_number("objectEncoding"))}})});
}

void session::on_publish(const message& m, double txn, const std::vector<amf0_value>& v) {
  (void)txn;  // 7.2.2.6: answered with onStatus, not _result
  if (publish_ == publish_state::publishing || publish_ == publish_state::pending) {
    spdlog::warn("rtmp conn={} peer={} second publish ignored", connection_id_, peer_);
    return;
  }
  // publish(txn, null, name, type): ffmpeg sends the name only here, after createStream.
  std::string name = v.size() > 3 && v[3].type == amf0_value::kind::string ? v[3].string : std::string{};
  stream_key_ = strip_query(std::move(name));
  publish_stream_id_ = m.stream_id;
  if (stream_key_.empty()) {
    publish_ = publish_state::refused;
    send_status(publish_stream_id_, "error", "NetStream.Publish.BadName", "missing stream key");
    wants_close_ = true;
    return;
  }
  publish_ = publish_state::pending;
  spdlog::info("rtmp conn={} peer={} publish app '{}' key '{}'", connection_id_, peer_, app_, redacted_key());
  host_.on_publish_request(app_, stream_key_);
}

void session::on_publish_decision(publish_decision d) {
  if (publish_ != publish_state::pending || closed_) {
    // Too late (the connection closed meanwhile): the sink still gets its single on_end().
    if (d.sink) d.sink->on_end();
    return;
  }
  if (!d.sink) {
    publish_ = publish_state::refused;
    pending_.clear();
    pending_bytes_ = 0;
    if (d.description.empty()) d.description = "publish refused";
    spdlog::warn("rtmp conn={} peer={} publish key '{}' refused: {} {}", connection_id_, peer_, redacted_key(),
                 d.status_code, d.description);
    // 7.2.2.6: onStatus level "error"; ffmpeg prints "Server error: <description>" and exits non-zero.
    send_status(publish_stream_id_, "error", d.status_code, d.description);
    wants_close_ = true;
    return;
  }
  sink_ = std::move(d.sink);
  publish_ = publish_state::publishing;
  std::vector<std::uint8_t> body{0, static_cast<std::uint8_t>(uc_stream_begin)};
  put_be32(body, publish_stream_id_);
  send_control(msg_type::user_control, body);
  send_status(publish_stream_id_, "status", "NetStream.Publish.Start", stream_key_ + " is now published.");
  while (!pending_.empty() && publish_ != publish_state::pending && !wants_close_) {
    auto m = std::move(pending_.front());
    pending_.pop_front();
    pending_bytes_ -= m.payload->size();
    handle(std::move(m));
  }
}

void session::end_publish(const char* why) {
  if (publish_ == publish_state::publishing || publish_ == publish_state::pending)
    spdlog::info("rtmp conn={} peer={} key '{}' unpublished ({})", connection_id_, peer_, redacted_key(), why);
  if (publish_ != publish_state::pending) publish_ = publish_state::none;
  if (auto s = std::move(sink_)) s->on_end();  // exactly once per accepted publish
  sink_.reset();
}

void session::close() {
  if (closed_) return;
  end_publish("connection closed");
  closed_ = true;
  pending_.clear();
  pending_bytes_ = 0;
}

void session::send_control(std::uint8_t type, std::span<const std::uint8_t> body) {
  writer_.write(csid_control, type, 0, 0, body, out_);  // 5.4: stream 0, chunk stream 2
}

void session::send_amf(std::uint32_t csid, std::uint32_t stream_id, const std::vector<amf0_value>& values) {
  std::vector<std::uint8_t> body;
  for (const auto& v : values) amf0_encode(v, body);
  writer_.write(csid, msg_type::command_amf0, stream_id, 0, body, out_);
}

void session::send_status(std::uint32_t stream_id, const std::string& level, const std::string& code,
                          const std::string& description) {
  send_amf(csid_status, stream_id,
           {str("onStatus"), num(0), amf0_value::make_null(),
            amf0_value::make_object(props{{"level", str(level)},
                                          {"code", str(code)},
                                          {"description", str(description)},
                                          {"details", str(stream_key_)}})});
}

}  // namespace onair::net::rtmp
