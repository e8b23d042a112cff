#include "net/http/response.hpp"

#include <boost/beast/http/field.hpp>

#include "net/http/api_json.hpp"

namespace onair::net::http {

namespace bhttp = boost::beast::http;

response make_response(unsigned status, std::string_view content_type, shared_buffer_body::value_type body) {
  response res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, to_beast(content_type));
  res.body() = std::move(body);
  return res;
}

response make_json_response(unsigned status, std::string json) {
  auto res = make_response(status, "application/json", shared_buffer_body::value_type::from_string(std::move(json)));
  res.set(bhttp::field::cache_control, "no-store");
  return res;
}

response make_error_response(const api::error& err) {
  const unsigned status = err.status >= 400 && err.status <= 599 ? static_cast<unsigned>(err.status) : 500u;
  api::error e = err;
  if (e.code.empty()) e.code = status == 500 ? "internal" : "error";
  return make_json_response(status, to_json(e));
}

response make_error_response(unsigned status, std::string code, std::string message) {
  return make_error_response(api::error{static_cast<int>(status), std::move(code), std::move(message)});
}

response make_empty_response(unsigned status) {
  response res{static_cast<bhttp::status>(status), 11};
  return res;
}

void add_cors_headers(response& res) {
  // Any origin may read: the API authenticates with bearer tokens, not cookies, and HLS is public.
  res.set(bhttp::field::access_control_allow_origin, "*");
  res.set(bhttp::field::access_control_expose_headers, "Location, Allow, Content-Length");
}

}  // namespace onair::net::http
