#pragma once
/// AMF0 values (Adobe AMF0 spec): the encoding of RTMP command and data messages (RTMP spec 7.1.1/7.1.2).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace onair::net::rtmp {

struct amf0_property;

/// One decoded AMF0 value. A plain tagged struct: commands are small, so clarity beats compactness.
struct amf0_value {
  enum class kind : std::uint8_t {
    number,        ///< AMF0 spec 2.2, marker 0x00
    boolean,       ///< 2.3, 0x01
    string,        ///< 2.4, 0x02 (and long string 2.14, 0x0C, decoded into the same kind)
    object,        ///< 2.5, 0x03
    null,          ///< 2.7, 0x05
    undefined,     ///< 2.8, 0x06
    ecma_array,    ///< 2.10, 0x08
    strict_array,  ///< 2.12, 0x0A
    date,          ///< 2.13, 0x0B
  };
  kind type = kind::null;
  double number = 0;                     ///< number, or date (ms since epoch)
  bool boolean = false;
  std::string string;
  std::vector<amf0_property> properties; ///< object, ecma_array (in wire order)
  std::vector<amf0_value> items;         ///< strict_array
  std::int16_t timezone = 0;             ///< date

  static amf0_value make_number(double v);
  static amf0_value make_boolean(bool v);
  static amf0_value make_string(std::string v);
  static amf0_value make_null();
  static amf0_value make_undefined();
  static amf0_value make_object(std::vector<amf0_property> props);

  /// The property `key` of an object/ECMA array, or nullptr.
  const amf0_value* get(std::string_view key) const;
  /// The string property `key`, or "" when missing or not a string.
  std::string get_string(std::string_view key) const;
  /// The numeric property `key` (a boolean counts as 0/1), or `fallback`.
  double get_number(std::string_view key, double fallback = 0) const;
};

/// A key/value pair of an AMF0 object or ECMA array.
struct amf0_property {
  std::string key;
  amf0_value value;
};

/// Limits that bound the work a malicious message can cause.
struct amf0_limits {
  int max_depth = 16;              ///< nested objects/arrays
  std::size_t max_items = 4096;    ///< entries per container
};

/// Decodes one value at `pos`, advancing it. On error `pos` is unspecified.
std::error_code amf0_decode(std::span<const std::uint8_t> in, std::size_t& pos, amf0_value& out,
                            const amf0_limits& limits = {});
/// Decodes every value of a message body (a command: name, transaction id, object, args...).
std::error_code amf0_decode_all(std::span<const std::uint8_t> in, std::vector<amf0_value>& out,
                                const amf0_limits& limits = {});

/// Appends the encoding of `v` to `out`.
void amf0_encode(const amf0_value& v, std::vector<std::uint8_t>& out);

}  // namespace onair::net::rtmp
