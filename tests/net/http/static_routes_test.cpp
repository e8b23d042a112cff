// The browser app at `/`: path mapping (traversal, hidden files, client routes), Content-Types, cache
// headers, and the real server answering from a temporary web root (and from a missing one).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "net/http/static_routes.hpp"
#include "tests/net/http/http_test_support.hpp"

namespace onair::net::http::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using kind = static_target::kind;

static_target map(std::vector<std::string> segments) { return map_static_path(segments); }

TEST(static_path, root_and_client_routes_are_the_app_index) {
  EXPECT_EQ(map({""}).what, kind::app_index);                // "/"
  EXPECT_EQ(map({"watch", "r1"}).what, kind::app_index);      // "/watch/r1"
  EXPECT_EQ(map({"studio", ""}).what, kind::app_index);       // "/studio/"
  EXPECT_EQ(map({"admin"}).what, kind::app_index);
}

TEST(static_path, names_with_an_extension_are_files) {
  auto t = map({"assets", "app-ABCD2345.js"});
  EXPECT_EQ(t.what, kind::file);
  EXPECT_EQ(t.relative, "assets/app-ABCD2345.js");
  t = map({"", "index.html"});  // "//index.html": empty segments are dropped
  EXPECT_EQ(t.what, kind::file);
  EXPECT_EQ(t.relative, "index.html");
}

TEST(static_path, traversal_is_a_bad_request) {
  // dispatch percent-decodes each segment before mapping, so "%2e%2e" and "..%2f" arrive as these.
  EXPECT_EQ(map({".."}).what, kind::bad_request);
  EXPECT_EQ(map({"assets", "..", "..", "etc", "passwd"}).what, kind::bad_request);
  EXPECT_EQ(map({"."}).what, kind::bad_request);
  EXPECT_EQ(map({"..", "index.html"}).what, kind::bad_request);
  EXPECT_EQ(map({"..\\secret.txt"}).what, kind::bad_request);
  EXPECT_EQ(map({"../etc/passwd"}).what, kind::bad_request);
  EXPECT_EQ(map({std::string("a\0.js", 5)}).what, kind::bad_request);
}

TEST(static_path, hidden_files_are_not_found) {
  EXPECT_EQ(map({".env"}).what, kind::not_found);
  EXPECT_EQ(map({".git", "config"}).what, kind::not_found);
  EXPECT_EQ(map({"assets", ".hidden.js"}).what, kind::not_found);
}

TEST(static_path, content_types_by_extension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/app-ABCDEFGH.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/app-ABCDEFGH.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/app-ABCDEFGH.js.map"), "application/json");
  EXPECT_EQ(content_type_for("favicon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("shot.png"), "image/png");
  EXPECT_EQ(content_type_for("blob.bin"), "application/octet-stream");
  EXPECT_EQ(content_type_for("assets.d/noext"), "application/octet-stream");
}

TEST(static_path, only_hashed_assets_are_immutable) {
  EXPECT_TRUE(is_hashed_asset("assets/app-ABCD2345.js"));
  EXPECT_TRUE(is_hashed_asset("assets/main-Z7Z7Z7Z7.css"));
  EXPECT_FALSE(is_hashed_asset("index.html"));
  EXPECT_FALSE(is_hashed_asset("assets/app.js"));
  EXPECT_FALSE(is_hashed_asset("assets/app-abcd2345.js"));  // lower case is not esbuild's alphabet
  EXPECT_FALSE(is_hashed_asset("assets/app-ABCD234.js"));   // 7 characters
  EXPECT_FALSE(is_hashed_asset("assets/app_ABCD2345.js"));
  EXPECT_EQ(cache_control_for("assets/app-ABCD2345.js"), "public, max-age=31536000, immutable");
  EXPECT_EQ(cache_control_for("index.html"), "no-cache");
  EXPECT_EQ(cache_control_for("favicon.svg"), "no-cache");
}

/// A web root in a fresh temporary directory, with a secret file beside it that must never be served.
class web_root {
 public:
  web_root() {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("onair-web-test-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(base_ / "dist" / "assets");
    write("secret.txt", "top secret");
    write("dist/index.html", "<!doctype html><title>onair</title>");
    write("dist/assets/app-ABCD2345.js", "console.log(1)");
    write("dist/.env", "KEY=1");
  }
  ~web_root() {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  void write(const std::string& rel, const std::string& text) {
    std::ofstream(base_ / rel, std::ios::binary) << text;
  }
  std::string dist() const { return (base_ / "dist").string(); }
  fs::path base() const { return base_; }

 private:
  fs::path base_;
};

TEST(static_site, loads_files_and_sees_rewrites) {
  web_root root;
  static_site site(root.dist());
  auto r = site.load("index.html");
  ASSERT_EQ(r.st, static_site::status::ok);
  EXPECT_EQ(*r.bytes, "<!doctype html><title>onair</title>");
  EXPECT_EQ(site.load("missing.js").st, static_site::status::not_found);
  EXPECT_EQ(site.load("assets").st, static_site::status::not_found);  // a directory
  // A rebuild changes the size: the next request sees the new bytes, not the cached ones.
  root.write("dist/index.html", "<!doctype html><title>onair v2</title>");
  EXPECT_EQ(*site.load("index.html").bytes, "<!doctype html><title>onair v2</title>");
}

TEST(static_site, symlinks_out_of_the_root_are_not_served) {
  web_root root;
  std::error_code ec;
  fs::create_symlink(root.base() / "secret.txt", fs::path(root.dist()) / "leak.txt", ec);
  ASSERT_FALSE(ec) << ec.message();
  static_site site(root.dist());
  EXPECT_EQ(site.load("leak.txt").st, static_site::status::not_found);
}

void expect_json_error(const client_response& r, unsigned status, const std::string& code) {
  EXPECT_EQ(r.result_int(), status) << r.body();
  EXPECT_EQ(header(r, bhttp::field::content_type), "application/json");
  const auto j = json::parse(r.body(), nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.body();
  EXPECT_EQ(j["error"]["code"], code);
}

class static_server : public server_fixture {
 protected:
  server_options options() override {
    server_options o;
    o.web_root = root_.dist();
    return o;
  }
  web_root root_;
};

TEST_F(static_server, serves_index_for_root_and_client_routes) {
  for (const char* target : {"/", "/watch/r1", "/studio/", "/admin?x=1", "/index.html"}) {
    auto r = get(target);
    EXPECT_EQ(r.result_int(), 200u) << target;
    EXPECT_EQ(r.body(), "<!doctype html><title>onair</title>") << target;
    EXPECT_EQ(header(r, bhttp::field::content_type), "text/html; charset=utf-8");
    EXPECT_EQ(header(r, bhttp::field::cache_control), "no-cache");
  }
}

TEST_F(static_server, hashed_assets_are_immutable_with_their_type) {
  auto r = get("/assets/app-ABCD2345.js");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r.body(), "console.log(1)");
  EXPECT_EQ(header(r, bhttp::field::content_type), "text/javascript; charset=utf-8");
  EXPECT_EQ(header(r, bhttp::field::cache_control), "public, max-age=31536000, immutable");
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  // HEAD: same headers, the length a GET would send, no body.
  auto h = fetch(port_, bhttp::verb::head, "/assets/app-ABCD2345.js");
  EXPECT_EQ(h.result_int(), 200u);
  EXPECT_EQ(header(h, bhttp::field::content_length), "14");
}

TEST_F(static_server, missing_files_and_traversal_are_json_errors) {
  // A missing asset must not come back as index.html: the browser would run HTML as a script.
  expect_json_error(get("/assets/app-ZZZZZZZZ.js"), 404, "not_found");
  expect_json_error(get("/.env"), 404, "not_found");
  expect_json_error(get("/../secret.txt"), 400, "bad_request");
  expect_json_error(get("/assets/%2e%2e/%2e%2e/secret.txt"), 400, "bad_request");
  expect_json_error(get("/assets/..%2F..%2Fsecret.txt"), 400, "bad_request");
  expect_json_error(get("/%00.js"), 400, "bad_request");
  expect_json_error(get("/%zz"), 400, "bad_request");
  auto r = call(bhttp::verb::post, "/", "{}");
  expect_json_error(r, 405, "method_not_allowed");
}

TEST_F(static_server, server_prefixes_never_fall_back_to_the_app) {
  expect_json_error(get("/api"), 404, "not_found");
  expect_json_error(get("/hls"), 404, "not_found");
  expect_json_error(get("/ws/rooms"), 404, "not_found");
  expect_json_error(get("/api/nope"), 404, "not_found");
}

class unbuilt_server : public server_fixture {
 protected:
  server_options options() override {
    server_options o;
    o.web_root = (fs::temp_directory_path() / "onair-web-test-does-not-exist").string();
    return o;
  }
};

TEST_F(unbuilt_server, says_the_app_is_not_built) {
  for (const char* target : {"/", "/watch/r1", "/assets/app-ABCD2345.js"}) {
    auto r = get(target);
    expect_json_error(r, 404, "not_found");
    EXPECT_NE(r.body().find("not built"), std::string::npos) << r.body();
  }
  EXPECT_EQ(get("/healthz").result_int(), 200u);  // the node itself works
}

}  // namespace
}  // namespace onair::net::http::testing
