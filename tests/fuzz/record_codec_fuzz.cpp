// Fuzz target: arbitrary bytes decoded as stored room and token values (a corrupt disk, a value from a
// newer onair). Decoding must never crash or throw, and whatever decodes must survive a re-encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storage/record_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onair::storage;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  room_record room;
  if (!decode_room(bytes, room)) {
    room_record again;
    if (decode_room(encode_room(room), again) || !(again == room)) std::abort();
  }
  token_record token;
  if (!decode_token(bytes, token)) {
    token_record again;
    if (decode_token(encode_token(token), again) || !(again == token)) std::abort();
  }
  return 0;
}
