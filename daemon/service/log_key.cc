#include "daemon/service/log_key.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/files.h"

namespace sello::service {

absl::StatusOr<domain::NoteSigner> LoadOrCreateLogKey(const std::string& path,
                                                      const std::string& origin, bool* created) {
  absl::StatusOr<std::optional<std::string>> file = storage::ReadFileIfExists(path);
  if (!file.ok()) return file.status();
  if (file->has_value()) {
    *created = false;
    std::string seed;
    if (!absl::Base64Unescape(absl::StripAsciiWhitespace(**file), &seed)) {
      return absl::DataLossError(absl::StrCat(path, ": not a base64 Ed25519 key"));
    }
    absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::FromPrivateKey(origin, seed);
    if (!signer.ok()) {
      return absl::Status(signer.status().code(),
                          absl::StrCat(path, ": ", signer.status().message()));
    }
    return signer;
  }
  absl::StatusOr<domain::NoteSigner> signer = domain::NoteSigner::Generate(origin);
  if (!signer.ok()) return signer.status();
  if (absl::Status status = storage::WriteFileAtomically(
          path, absl::StrCat(absl::Base64Escape(signer->raw_private_key()), "\n"), 0600);
      !status.ok()) {
    return status;
  }
  *created = true;
  return signer;
}

}  // namespace sello::service
