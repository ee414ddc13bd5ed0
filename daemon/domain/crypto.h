// Hashes and randomness for ids and tokens, through OpenSSL (never hand-rolled).
#ifndef SELLO_DAEMON_DOMAIN_CRYPTO_H_
#define SELLO_DAEMON_DOMAIN_CRYPTO_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sello::domain {

// SHA-256 of `data`, 32 raw bytes.
std::string Sha256(absl::string_view data);
// Lower-case hex of `bytes`.
std::string HexEncode(absl::string_view bytes);
// `count` bytes from OpenSSL's CSPRNG. Aborts if the CSPRNG fails (we cannot go on
// without randomness).
std::string RandomBytes(size_t count);
// A new bearer secret: "sello_" + 43 characters of web-safe base64 (256 random bits).
std::string NewTokenSecret();
// A new server-chosen id: `prefix` + "-" + 10 characters from [a-z2-9] (about 50
// bits), e.g. "site-k3m9x2a7qp".
std::string NewId(absl::string_view prefix);
// Compares in time independent of where the inputs differ.
bool ConstantTimeEqual(absl::string_view a, absl::string_view b);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_CRYPTO_H_
