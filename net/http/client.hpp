#pragma once
/// A small blocking HTTP/1.1 client for the command line (`onair drain`): one request per call over a
/// fresh connection, plain HTTP, bounded in time. Not for the node's own I/O, which is asynchronous.
#include <chrono>
#include <cstdint>
#include <string>

namespace onair::net::http {

struct client_request {
  std::string method = "GET";  ///< GET, POST, DELETE, ...
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string target = "/";    ///< path and query
  std::string bearer_token;    ///< sent as "Authorization: Bearer ..." when not empty
  std::string body;            ///< sent as application/json when not empty
  std::chrono::seconds timeout{10};
};

struct client_response {
  int status = 0;
  std::string body;
};

/// Sends `req` and reads the whole answer. Returns an error message ("" on success): connection
/// refused, timeout, a malformed answer.
std::string fetch(const client_request& req, client_response& out);

/// Splits "http://host:port" (port 80 when absent; a trailing "/" is allowed) into host and port.
/// False when it is not such a URL (https is not supported: the CLI talks to a node it can reach).
bool parse_base_url(const std::string& url, std::string& host, std::uint16_t& port);

}  // namespace onair::net::http
