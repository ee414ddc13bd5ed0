#include "daemon/server/tls_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace sello::service {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioFree> Reader(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The first certificate of a PEM text, or null.
std::unique_ptr<X509, X509Free> FirstCertificate(const std::string& pem) {
  auto bio = Reader(pem);
  if (bio == nullptr) return nullptr;
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert;
}

// An empty passphrase callback: an encrypted key is not read (sellod cannot ask for one).
int NoPassphrase(char*, int, int, void*) { return 0; }

}  // namespace

absl::Status CheckTlsFiles(const TlsFiles& files) {
  std::unique_ptr<X509, X509Free> cert = FirstCertificate(files.cert_pem);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-cert ", files.cert_path, ": no PEM certificate in it"));
  }
  auto key_bio = Reader(files.key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      key_bio == nullptr ? nullptr
                         : PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &NoPassphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key ", files.key_path,
                     ": no PEM private key in it (an encrypted key must be decrypted first: "
                     "sellod cannot ask for a passphrase)"));
  }
  const int matches = X509_check_private_key(cert.get(), key.get());
  ERR_clear_error();
  if (matches != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key ", files.key_path, " does not match the certificate in --tls-cert ",
                     files.cert_path, ": the key is not the one the certificate was issued for"));
  }
  if (!files.client_ca_path.empty() && FirstCertificate(files.client_ca_pem) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--client-ca ", files.client_ca_path, ": no PEM certificate in it"));
  }
  return absl::OkStatus();
}

}  // namespace sello::service
