// Fuzz target: arbitrary bytes decoded as stored chat message and moderation values (a corrupt disk, a
// value from a newer onair). Decoding must never crash or throw, and whatever decodes must survive a
// re-encode unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storage/chat_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onair::storage;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  chat_record message;
  if (!decode_chat(bytes, message)) {
    chat_record again;
    if (decode_chat(encode_chat(message), again) || !(again == message)) std::abort();
  }
  chat_moderation moderation;
  if (!decode_chat_moderation(bytes, moderation)) {
    chat_moderation again;
    if (decode_chat_moderation(encode_chat_moderation(moderation), again) || !(again == moderation))
      std::abort();
  }
  return 0;
}
