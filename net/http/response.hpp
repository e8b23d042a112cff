#pragma once
/// Private to net/http: the one response type of the server and helpers that build it.
#include <boost/beast/http/message.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <string>
#include <string_view>

#include "net/http/api_types.hpp"
#include "net/http/shared_buffer_body.hpp"

namespace onair::net::http {

using response = boost::beast::http::response<shared_buffer_body>;

/// Beast 1.74 speaks boost::string_view; the rest of the code std::string_view.
inline std::string_view to_std(boost::beast::string_view s) { return {s.data(), s.size()}; }
inline boost::beast::string_view to_beast(std::string_view s) { return {s.data(), s.size()}; }
/// ASCII case-insensitive equality (auth schemes, media types, file extensions: RFC 9110 5.1, 8.3.1).
inline bool iequals(std::string_view a, std::string_view b) { return boost::beast::iequals(to_beast(a), to_beast(b)); }

/// A response with a body and a Content-Type (Content-Length is set when it is sent).
response make_response(unsigned status, std::string_view content_type, shared_buffer_body::value_type body);
/// application/json response of `json`; API responses are never cached.
response make_json_response(unsigned status, std::string json);
/// The JSON error body of `err` with its status (out-of-range statuses become 500).
response make_error_response(const api::error& err);
/// Shorthand: make_error_response({status, code, message}).
response make_error_response(unsigned status, std::string code, std::string message);
/// An empty response (204, preflight).
response make_empty_response(unsigned status);

/// Adds the CORS headers every response carries, errors included (DESIGN.md section 4).
void add_cors_headers(response& res);

}  // namespace onair::net::http
