#pragma once
/// Private to net/http: a Beast body that points into a shared, immutable buffer instead of owning a
/// copy. HLS parts, segments and playlists are sent straight from the packager's snapshot; the
/// shared_ptr in the body keeps that buffer alive until the write completes (DESIGN.md section 4).
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace onair::net::http {

struct shared_buffer_body {
  /// A read-only byte range plus whatever owns it.
  struct value_type {
    std::shared_ptr<const void> owner;
    const char* data = nullptr;
    std::size_t size = 0;

    /// Takes ownership of a freshly built string (JSON, error bodies, rewritten master playlists).
    static value_type from_string(std::string s) {
      auto p = std::make_shared<const std::string>(std::move(s));
      return {p, p->data(), p->size()};
    }
    /// Shares an existing string (a snapshot's playlist: `owner` keeps the snapshot alive).
    static value_type share(std::shared_ptr<const void> owner, const std::string& s) {
      return {std::move(owner), s.data(), s.size()};
    }
  };

  static std::uint64_t size(const value_type& v) { return v.size; }

  /// Serializes the whole range as one buffer (Beast BodyWriter).
  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      if (done_ || body_.size == 0) return boost::none;
      done_ = true;
      return std::make_pair(const_buffers_type{body_.data, body_.size}, false);
    }

   private:
    const value_type& body_;
    bool done_ = false;
  };
};

}  // namespace onair::net::http
