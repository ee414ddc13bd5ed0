#include "daemon/domain/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

namespace {

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "fatal: %s failed\n", what);
  std::abort();
}

// SHA-256 fetched from OpenSSL's provider once: EVP_sha256() in a one-shot EVP_Digest
// looks the algorithm up again on every call (a third of a short hash's cost).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) Fatal("EVP_MD_fetch(SHA256)");
    return fetched;
  }();
  return md;
}

}  // namespace

std::string Sha256(absl::string_view data) {
  // One context per thread, reused: no allocation per hash.
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // These only fail when OpenSSL cannot allocate: nothing sensible can follow.
  if (context == nullptr || EVP_DigestInit_ex2(context.get(), Sha256Md(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    Fatal("SHA-256");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string HexEncode(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

std::string RandomBytes(size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    std::fputs("fatal: RAND_bytes failed: no secure randomness\n", stderr);
    std::abort();
  }
  return out;
}

std::string NewTokenSecret() {
  std::string encoded;
  absl::WebSafeBase64Escape(RandomBytes(32), &encoded);
  return "sello_" + encoded;
}

std::string NewId(absl::string_view prefix) {
  // 32 symbols without the look-alikes 0/1/o/l... ambiguity is avoided by using
  // a-z and 2-9 minus 'l' and 'o'.
  static constexpr absl::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
  static_assert(kAlphabet.size() == 32);
  const std::string random = RandomBytes(10);
  std::string id(prefix);
  id.push_back('-');
  for (unsigned char byte : random) id.push_back(kAlphabet[byte % 32]);
  return id;
}

bool ConstantTimeEqual(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sello::domain
