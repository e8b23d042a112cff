#pragma once
/// A chat session sink that records the frames the channel (or a relay) sends to one connection: a
/// stand-in for the WebSocket in the deterministic actor tests.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/chat/chat_handler.hpp"  // session_sink

namespace onair::actors::testing {

class recording_sink final : public net::chat::session_sink {
 public:
  bool send(media::shared_bytes f, priority) override {
    frames.push_back(nlohmann::json::parse(std::string(f->begin(), f->end())));
    return !closed;
  }
  void close(std::uint16_t code, std::string) override {
    closed = true;
    close_code = code;
  }
  std::vector<nlohmann::json> of_type(const std::string& t) const {
    std::vector<nlohmann::json> out;
    for (auto& f : frames)
      if (f.value("type", "") == t) out.push_back(f);
    return out;
  }
  /// The texts of the `msg` frames, in arrival order.
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (auto& f : of_type("msg")) out.push_back(f["text"]);
    return out;
  }
  /// Every message's seq in arrival order, replayed (history) or live (msg).
  std::vector<std::int64_t> seqs() const {
    std::vector<std::int64_t> out;
    for (auto& f : frames) {
      if (f.value("type", "") == "history")
        for (auto& m : f["messages"]) out.push_back(m["seq"]);
      if (f.value("type", "") == "msg") out.push_back(f["seq"]);
    }
    return out;
  }

  std::vector<nlohmann::json> frames;
  bool closed = false;
  std::uint16_t close_code = 0;
};

}  // namespace onair::actors::testing
