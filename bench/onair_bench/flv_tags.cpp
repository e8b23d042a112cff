#include "bench/onair_bench/flv_tags.hpp"

namespace onair::bench {

namespace {
struct flv_category : std::error_category {
  const char* name() const noexcept override { return "onair.bench.flv"; }
  std::string message(int v) const override {
    switch (static_cast<flv_errc>(v)) {
      case flv_errc::ok: return "ok";
      case flv_errc::not_flv: return "not an FLV file";
      case flv_errc::truncated: return "truncated FLV file";
    }
    return "unknown";
  }
};

std::uint32_t be(std::string_view s, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(s[at + static_cast<std::size_t>(i)]);
  return v;
}
}  // namespace

std::error_code make_error_code(flv_errc e) {
  static const flv_category cat;
  return {static_cast<int>(e), cat};
}

std::error_code split_flv_tags(std::string_view f, std::vector<flv_tag>& out) {
  out.clear();
  // Header (E.2): "FLV", version, flags, DataOffset (9 for version 1).
  if (f.size() < 9 || f.substr(0, 3) != "FLV") return flv_errc::not_flv;
  std::size_t pos = be(f, 5, 4);
  if (pos < 9) return flv_errc::not_flv;
  pos += 4;  // PreviousTagSize0 (E.3), always 0
  while (pos + 11 <= f.size()) {
    // Tag header (E.4.1): type(1) DataSize(3) Timestamp(3) TimestampExtended(1) StreamID(3).
    flv_tag t;
    t.type = static_cast<std::uint8_t>(f[pos]) & 0x1f;  // the top bits are reserved / Filter
    t.size = be(f, pos + 1, 3);
    t.timestamp_ms = be(f, pos + 4, 3) | (static_cast<std::uint32_t>(static_cast<std::uint8_t>(f[pos + 7])) << 24);
    t.offset = pos + 11;
    if (t.offset + t.size > f.size()) break;
    if (t.type == 8 || t.type == 9 || t.type == 18) out.push_back(t);
    pos = t.offset + t.size + 4;  // PreviousTagSize
  }
  if (out.empty()) return flv_errc::truncated;
  return {};
}

}  // namespace onair::bench
