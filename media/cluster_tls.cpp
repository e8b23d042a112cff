#include "media/cluster_tls.hpp"

#include <memory>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "media/hmac.hpp"

namespace onair::media {

namespace {

template <class T, void (*F)(T*)>
struct deleter {
  void operator()(T* p) const { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

/// The CA's key label: changing it makes a new CA (a cluster whose nodes run different versions of this
/// label would split), so it carries a version.
constexpr std::string_view ca_label = "onair cluster CA key v1";
/// The CA certificate's validity is fixed, not taken from the clock: every node must make the same CA.
constexpr long ca_not_before = 1577836800;   // 2020-01-01
constexpr long ca_not_after = 4102444800;    // 2100-01-01
constexpr long node_validity_s = 10L * 365 * 24 * 3600;

std::string pem_of(int (*write)(BIO*, void*), void* obj) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get(), obj) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

/// A certificate for `key` named `cn`, signed by `signer` as `issuer` (itself when null).
x509_ptr make_cert(EVP_PKEY* key, const std::string& cn, long serial, long not_before, long not_after, bool ca,
                   X509* issuer, EVP_PKEY* signer) {
  x509_ptr cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before);
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("onair cluster"), -1,
                             -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                             0);
  X509* iss = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(iss));
  const bool ext_ok =
      ca ? add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE") &&
               add_ext(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign")
         : add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE") &&
               add_ext(cert.get(), iss, NID_key_usage, "critical,digitalSignature") &&
               add_ext(cert.get(), iss, NID_ext_key_usage, "serverAuth,clientAuth");
  // Ed25519 signs the whole message itself: no separate digest (RFC 8410).
  if (!ext_ok || X509_sign(cert.get(), signer, nullptr) <= 0) return nullptr;
  return cert;
}

}  // namespace

std::string make_cluster_tls(std::string_view cluster_secret, std::string_view node_id, std::int64_t now_s,
                             cluster_tls_pem& out) {
  if (cluster_secret.empty()) return "no cluster secret";
  const auto seed = hmac_sha256(
      std::span(reinterpret_cast<const std::uint8_t*>(cluster_secret.data()), cluster_secret.size()),
      std::span(reinterpret_cast<const std::uint8_t*>(ca_label.data()), ca_label.size()));
  pkey_ptr ca_key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!ca_key) return "cannot make the cluster CA key";
  // The CA's name carries a fingerprint of its key, so the CAs of two clusters never share a name.
  unsigned char pub[32];
  std::size_t pub_len = sizeof pub;
  EVP_PKEY_get_raw_public_key(ca_key.get(), pub, &pub_len);
  static constexpr char hex[] = "0123456789abcdef";
  std::string fp;
  for (std::size_t i = 0; i < 8 && i < pub_len; ++i) fp += {hex[pub[i] >> 4], hex[pub[i] & 15]};
  auto ca = make_cert(ca_key.get(), "onair cluster CA " + fp, 1, ca_not_before, ca_not_after, true, nullptr,
                      ca_key.get());
  if (!ca) return "cannot make the cluster CA certificate";

  EVP_PKEY* raw = nullptr;
  EVP_PKEY_CTX* kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  const bool made = kctx && EVP_PKEY_keygen_init(kctx) == 1 && EVP_PKEY_keygen(kctx, &raw) == 1;
  EVP_PKEY_CTX_free(kctx);
  pkey_ptr node_key(raw);
  if (!made || !node_key) return "cannot make the node key";
  long serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial - 1) != 1) return "no randomness";
  auto node = make_cert(node_key.get(), std::string(node_id), serial | 2, static_cast<long>(now_s) - 3600,
                        static_cast<long>(now_s) + node_validity_s, false, ca.get(), ca_key.get());
  if (!node) return "cannot make the node certificate";

  out.ca_cert = pem_of([](BIO* b, void* x) { return PEM_write_bio_X509(b, static_cast<X509*>(x)); }, ca.get());
  out.node_cert = pem_of([](BIO* b, void* x) { return PEM_write_bio_X509(b, static_cast<X509*>(x)); }, node.get());
  out.node_key = pem_of(
      [](BIO* b, void* k) {
        return PEM_write_bio_PrivateKey(b, static_cast<EVP_PKEY*>(k), nullptr, nullptr, 0, nullptr, nullptr);
      },
      node_key.get());
  if (out.ca_cert.empty() || out.node_cert.empty() || out.node_key.empty()) return "cannot write PEM";
  return {};
}

}  // namespace onair::media
