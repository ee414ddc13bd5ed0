#include "daemon/domain/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

std::string Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Only fails on allocation failure inside OpenSSL: nothing sensible can follow.
    std::fputs("fatal: EVP_Digest(SHA-256) failed\n", stderr);
    std::abort();
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
