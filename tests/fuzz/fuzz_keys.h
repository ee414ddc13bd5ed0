// The fixed signing key of the checkpoint target and its seed generator, so that seeds
// carry notes that really verify. A test key: its seed is public, here.
#ifndef SELLO_TESTS_FUZZ_FUZZ_KEYS_H_
#define SELLO_TESTS_FUZZ_FUZZ_KEYS_H_

#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "daemon/domain/crypto.h"
#include "daemon/tlog/checkpoint.h"

namespace sello::fuzz {

inline constexpr char kFuzzLogOrigin[] = "sello.fuzz/log";

// Ed25519 key whose RFC 8032 seed is SHA-256("sello fuzz log key").
inline domain::NoteSigner FuzzLogSigner() {
  absl::StatusOr<domain::NoteSigner> signer =
      domain::NoteSigner::FromPrivateKey(kFuzzLogOrigin, domain::Sha256("sello fuzz log key"));
  if (!signer.ok()) std::abort();
  return *std::move(signer);
}

}  // namespace sello::fuzz

#endif  // SELLO_TESTS_FUZZ_FUZZ_KEYS_H_
