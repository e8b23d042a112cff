// The node-link credentials (media/cluster_tls): every node of a cluster derives the same CA from the
// secret, each node certificate verifies against any node's copy of that CA, and not against another
// cluster's.
#include "media/cluster_tls.hpp"

#include <gtest/gtest.h>
#include <memory>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace onair::media {
namespace {

constexpr std::int64_t now_s = 1796000000;  // 2026-12

std::unique_ptr<X509, void (*)(X509*)> cert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return {x, X509_free};
}

/// OpenSSL's own chain verification of `leaf` against the single trusted `ca`, at `now_s`.
bool verifies(const std::string& ca_pem, const std::string& leaf_pem) {
  auto ca = cert(ca_pem);
  auto leaf = cert(leaf_pem);
  if (!ca || !leaf) return false;
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_time(ctx, 0, static_cast<time_t>(now_s));
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

TEST(ClusterTls, NodesOfOneSecretTrustEachOtherAndNoOtherCluster) {
  cluster_tls_pem a, b, foreign;
  ASSERT_EQ(make_cluster_tls("the cluster secret 0123", "node-a", now_s, a), "");
  ASSERT_EQ(make_cluster_tls("the cluster secret 0123", "node-b", now_s, b), "");
  ASSERT_EQ(make_cluster_tls("another cluster secret", "node-a", now_s, foreign), "");
  EXPECT_EQ(a.ca_cert, b.ca_cert) << "the CA is derived, the same on every node";
  EXPECT_NE(a.node_cert, b.node_cert);
  EXPECT_NE(a.node_key, b.node_key);
  EXPECT_NE(a.node_key.find("PRIVATE KEY"), std::string::npos);
  EXPECT_TRUE(verifies(a.ca_cert, b.node_cert));
  EXPECT_TRUE(verifies(b.ca_cert, a.node_cert));
  EXPECT_FALSE(verifies(a.ca_cert, foreign.node_cert));
  EXPECT_FALSE(verifies(foreign.ca_cert, a.node_cert));
  EXPECT_NE(a.ca_cert, foreign.ca_cert);
}

TEST(ClusterTls, NodeCertificatesCarryTheNodeIdAndATenYearWindow) {
  cluster_tls_pem a;
  ASSERT_EQ(make_cluster_tls("the cluster secret 0123", "node-a", now_s, a), "");
  auto leaf = cert(a.node_cert);
  ASSERT_TRUE(leaf);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(leaf.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "node-a");
  // Valid from an hour before `now_s` (clock skew between nodes) for ten years.
  time_t before = static_cast<time_t>(now_s - 3600 - 1), after = static_cast<time_t>(now_s + 10L * 365 * 86400 + 1);
  time_t inside = static_cast<time_t>(now_s);
  EXPECT_GT(X509_cmp_time(X509_get0_notBefore(leaf.get()), &before), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(leaf.get()), &inside), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(leaf.get()), &after), 0);
}

TEST(ClusterTls, NoSecretNoCredentials) {
  cluster_tls_pem out;
  EXPECT_NE(make_cluster_tls("", "node-a", now_s, out), "");
}

}  // namespace
}  // namespace onair::media
