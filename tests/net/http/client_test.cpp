// The CLI's blocking HTTP client (net/http/client): base URL parsing and a clear error when nothing
// listens. Its requests against a real node are covered by tests/integration/test_drain.py.
#include "net/http/client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

namespace onair::net::http {
namespace {

TEST(BaseUrl, HostAndPort) {
  std::string host;
  std::uint16_t port = 0;
  ASSERT_TRUE(parse_base_url("http://127.0.0.1:8080", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(parse_base_url("http://node-a.example/", host, port));
  EXPECT_EQ(host, "node-a.example");
  EXPECT_EQ(port, 80);
}

TEST(BaseUrl, RefusesWhatIsNotAPlainHttpBase) {
  std::string host;
  std::uint16_t port = 0;
  for (const char* bad : {"", "127.0.0.1:8080", "https://x:443", "http://", "http://:80", "http://x:0",
                          "http://x:65536", "http://x:80a", "http://x:80/api"})
    EXPECT_FALSE(parse_base_url(bad, host, port)) << bad;
}

TEST(Fetch, NothingListeningIsAnErrorNotAHang) {
  // A port that was free a moment ago: bind, read it, close.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = a.local_endpoint().port();
  a.close();
  client_request req;
  req.port = port;
  req.timeout = std::chrono::seconds(5);
  client_response res;
  const auto err = fetch(req, res);
  EXPECT_NE(err.find("cannot connect"), std::string::npos) << err;
  EXPECT_EQ(res.status, 0);
}

}  // namespace
}  // namespace onair::net::http
