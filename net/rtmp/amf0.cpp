#include "net/rtmp/amf0.hpp"

#include <bit>
#include <cstring>

#include "net/rtmp/errc.hpp"

namespace onair::net::rtmp {

namespace {

// AMF0 spec 2.1 type markers.
constexpr std::uint8_t number_marker = 0x00;
constexpr std::uint8_t boolean_marker = 0x01;
constexpr std::uint8_t string_marker = 0x02;
constexpr std::uint8_t object_marker = 0x03;
constexpr std::uint8_t null_marker = 0x05;
constexpr std::uint8_t undefined_marker = 0x06;
constexpr std::uint8_t ecma_array_marker = 0x08;
constexpr std::uint8_t object_end_marker = 0x09;
constexpr std::uint8_t strict_array_marker = 0x0a;
constexpr std::uint8_t date_marker = 0x0b;
constexpr std::uint8_t long_string_marker = 0x0c;
constexpr std::uint8_t xml_document_marker = 0x0f;

class reader {
 public:
  reader(std::span<const std::uint8_t> in, std::size_t& pos, const amf0_limits& limits)
      : in_(in), pos_(pos), limits_(limits) {}

  std::error_code value(amf0_value& out, int depth) {
    if (depth > limits_.max_depth) return errc::amf_too_deep;
    std::uint8_t marker = 0;
    if (!u8(marker)) return errc::amf_truncated;
    switch (marker) {
      case number_marker:
        out.type = amf0_value::kind::number;
        return f64(out.number) ? std::error_code{} : errc::amf_truncated;
      case boolean_marker: {
        std::uint8_t b = 0;
        if (!u8(b)) return errc::amf_truncated;
        out.type = amf0_value::kind::boolean;
        out.boolean = b != 0;
        return {};
      }
      case string_marker:
        out.type = amf0_value::kind::string;
        return str16(out.string) ? std::error_code{} : errc::amf_truncated;
      case long_string_marker:  // 2.14: UTF-8-long, 32-bit length
      case xml_document_marker: // 2.17: also UTF-8-long; kept as a string
        out.type = amf0_value::kind::string;
        return str32(out.string) ? std::error_code{} : errc::amf_truncated;
      case object_marker:
        out.type = amf0_value::kind::object;
        return properties(out.properties, depth, false);
      case null_marker:
        out.type = amf0_value::kind::null;
        return {};
      case undefined_marker:
        out.type = amf0_value::kind::undefined;
        return {};
      case ecma_array_marker: {
        // 2.10: associative-count(U32) then properties and an object end. The count is only a hint
        // (encoders get it wrong), so it is read and ignored.
        std::uint32_t count = 0;
        if (!u32(count)) return errc::amf_truncated;
        out.type = amf0_value::kind::ecma_array;
        return properties(out.properties, depth, true);
      }
      case strict_array_marker: {
        // 2.12: array-count(U32) then that many values. Each needs at least one byte, which bounds
        // the count by the input before anything is allocated.
        std::uint32_t count = 0;
        if (!u32(count)) return errc::amf_truncated;
        if (count > limits_.max_items) return errc::amf_too_many_items;
        if (count > in_.size() - pos_) return errc::amf_truncated;
        out.type = amf0_value::kind::strict_array;
        out.items.resize(count);
        for (auto& item : out.items)
          if (auto ec = value(item, depth + 1)) return ec;
        return {};
      }
      case date_marker: {
        // 2.13: DOUBLE ms since epoch, S16 time-zone (reserved, 0).
        std::uint16_t tz = 0;
        out.type = amf0_value::kind::date;
        if (!f64(out.number) || !u16(tz)) return errc::amf_truncated;
        out.timezone = static_cast<std::int16_t>(tz);
        return {};
      }
      default:  // movieclip, reference, recordset, typed object, AVM+ (AMF3): not used by encoders
        return errc::amf_bad_marker;
    }
  }

 private:
  /// Properties until the object end (00 00 09). An ECMA array cut at the end of the input without
  /// an end marker is accepted: some encoders omit it in onMetaData.
  std::error_code properties(std::vector<amf0_property>& props, int depth, bool lenient_end) {
    for (;;) {
      if (lenient_end && pos_ == in_.size()) return {};
      std::string key;
      if (!str16(key)) return errc::amf_truncated;
      if (key.empty()) {
        if (pos_ < in_.size() && in_[pos_] == object_end_marker) {
          ++pos_;
          return {};
        }
        if (lenient_end && pos_ == in_.size()) return {};
      }
      if (props.size() >= limits_.max_items) return errc::amf_too_many_items;
      amf0_property p;
      p.key = std::move(key);
      if (auto ec = value(p.value, depth + 1)) return ec;
      props.push_back(std::move(p));
    }
  }

  bool u8(std::uint8_t& v) {
    if (in_.size() - pos_ < 1) return false;
    v = in_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (in_.size() - pos_ < 2) return false;
    v = static_cast<std::uint16_t>((in_[pos_] << 8) | in_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (in_.size() - pos_ < 4) return false;
    v = (std::uint32_t{in_[pos_]} << 24) | (std::uint32_t{in_[pos_ + 1]} << 16) |
        (std::uint32_t{in_[pos_ + 2]} << 8) | in_[pos_ + 3];
    pos_ += 4;
    return true;
  }
  bool f64(double& v) {  // 2.2: big-endian IEEE-754 double
    if (in_.size() - pos_ < 8) return false;
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | in_[pos_ + i];
    pos_ += 8;
    v = std::bit_cast<double>(bits);
    return true;
  }
  bool str16(std::string& s) {
    std::uint16_t len = 0;
    if (!u16(len) || in_.size() - pos_ < len) return false;
    s.assign(reinterpret_cast<const char*>(in_.data() + pos_), len);
    pos_ += len;
    return true;
  }
  bool str32(std::string& s) {
    std::uint32_t len = 0;
    if (!u32(len) || in_.size() - pos_ < len) return false;
    s.assign(reinterpret_cast<const char*>(in_.data() + pos_), len);
    pos_ += len;
    return true;
  }

  std::span<const std::uint8_t> in_;
  std::size_t& pos_;
  const amf0_limits& limits_;
};

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}
void put_f64(std::vector<std::uint8_t>& out, double d) {
  const auto bits = std::bit_cast<std::uint64_t>(d);
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(bits >> s));
}
void put_key(std::vector<std::uint8_t>& out, const std::string& k) {
  const auto len = static_cast<std::uint16_t>(k.size() > 0xffff ? 0xffff : k.size());
  put_u16(out, len);
  out.insert(out.end(), k.begin(), k.begin() + len);
}
void put_properties(std::vector<std::uint8_t>& out, const std::vector<amf0_property>& props) {
  for (const auto& p : props) {
    put_key(out, p.key);
    amf0_encode(p.value, out);
  }
  put_u16(out, 0);
  out.push_back(object_end_marker);
}

}  // namespace

amf0_value amf0_value::make_number(double v) {
  amf0_value r;
  r.type = kind::number;
  r.number = v;
  return r;
}
amf0_value amf0_value::make_boolean(bool v) {
  amf0_value r;
  r.type = kind::boolean;
  r.boolean = v;
  return r;
}
amf0_value amf0_value::make_string(std::string v) {
  amf0_value r;
  r.type = kind::string;
  r.string = std::move(v);
  return r;
}
amf0_value amf0_value::make_null() { return amf0_value{}; }
amf0_value amf0_value::make_undefined() {
  amf0_value r;
  r.type = kind::undefined;
  return r;
}
amf0_value amf0_value::make_object(std::vector<amf0_property> props) {
  amf0_value r;
  r.type = kind::object;
  r.properties = std::move(props);
  return r;
}

const amf0_value* amf0_value::get(std::string_view key) const {
  for (const auto& p : properties)
    if (p.key == key) return &p.value;
  return nullptr;
}

std::string amf0_value::get_string(std::string_view key) const {
  const auto* v = get(key);
  return v && v->type == kind::string ? v->string : std::string{};
}

double amf0_value::get_number(std::string_view key, double fallback) const {
  const auto* v = get(key);
  if (!v) return fallback;
  if (v->type == kind::number) return v->number;
  if (v->type == kind::boolean) return v->boolean ? 1 : 0;
  return fallback;
}

std::error_code amf0_decode(std::span<const std::uint8_t> in, std::size_t& pos, amf0_value& out,
                            const amf0_limits& limits) {
  if (pos > in.size()) return errc::amf_truncated;
  out = amf0_value{};
  return reader(in, pos, limits).value(out, 0);
}

std::error_code amf0_decode_all(std::span<const std::uint8_t> in, std::vector<amf0_value>& out,
                                const amf0_limits& limits) {
  std::size_t pos = 0;
  while (pos < in.size()) {
    if (out.size() >= limits.max_items) return errc::amf_too_many_items;
    amf0_value v;
    if (auto ec = amf0_decode(in, pos, v, limits)) return ec;
    out.push_back(std::move(v));
  }
  return {};
}

void amf0_encode(const amf0_value& v, std::vector<std::uint8_t>& out) {
  using k = amf0_value::kind;
  switch (v.type) {
    case k::number:
      out.push_back(number_marker);
      put_f64(out, v.number);
      return;
    case k::boolean:
      out.push_back(boolean_marker);
      out.push_back(v.boolean ? 1 : 0);
      return;
    case k::string:
      if (v.string.size() > 0xffff) {  // 2.14: long string when it does not fit U16
        out.push_back(long_string_marker);
        put_u32(out, static_cast<std::uint32_t>(v.string.size()));
      } else {
        out.push_back(string_marker);
        put_u16(out, static_cast<std::uint16_t>(v.string.size()));
      }
      out.insert(out.end(), v.string.begin(), v.string.end());
      return;
    case k::object:
      out.push_back(object_marker);
      put_properties(out, v.properties);
      return;
    case k::null:
      out.push_back(null_marker);
      return;
    case k::undefined:
      out.push_back(undefined_marker);
      return;
    case k::ecma_array:
      out.push_back(ecma_array_marker);
      put_u32(out, static_cast<std::uint32_t>(v.properties.size()));
      put_properties(out, v.properties);
      return;
    case k::strict_array:
      out.push_back(strict_array_marker);
      put_u32(out, static_cast<std::uint32_t>(v.items.size()));
      for (const auto& i : v.items) amf0_encode(i, out);
      return;
    case k::date:
      out.push_back(date_marker);
      put_f64(out, v.number);
      put_u16(out, static_cast<std::uint16_t>(v.timezone));
      return;
  }
}

}  // namespace onair::net::rtmp
