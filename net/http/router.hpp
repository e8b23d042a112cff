#pragma once
/// Private to net/http: request routing (router.cpp), the REST API (api_routes.cpp) and LL-HLS
/// delivery (hls_routes.cpp).
#include <memory>
#include <string_view>

#include "net/http/connection.hpp"
#include "net/http/url.hpp"

namespace onair::net::http {

/// Routes one request; answers it through c->respond() now or later.
void dispatch(const std::shared_ptr<connection>& c, const request& req);

/// /api/... (segments without "api"), after the path was split.
void handle_api(const std::shared_ptr<connection>& c, const request& req, const std::vector<std::string>& segments,
                std::string_view query);
/// /hls/{room}/... (segments without "hls").
void handle_hls(const std::shared_ptr<connection>& c, const request& req, const std::vector<std::string>& segments,
                std::string_view query);
/// GET /metrics.
void handle_metrics(const std::shared_ptr<connection>& c);

/// 405 with the Allow header (RFC 9110 15.5.6).
response method_not_allowed(std::string_view allow);

}  // namespace onair::net::http
