#include "daemon/service/log_key.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storage/files.h"

namespace sello::service {

namespace {

// Keeps the 32-byte Ed25519 seed, base64, readable by the daemon's user only.
absl::Status SaveLogKey(const std::string& path, absl::string_view seed) {
  return storage::WriteFileAtomically(path, absl::StrCat(absl::Base64Escape(seed), "\n"), 0600);
}

}  // namespace

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
  if (absl::Status status = SaveLogKey(path, signer->raw_private_key()); !status.ok()) {
    return status;
  }
  *created = true;
  return signer;
}

absl::StatusOr<std::string> ApplyKeyRotation(const std::string& data_dir, const std::string& origin,
                                             storage::TransparencyLog& log, bool begin,
                                             bool finish) {
  const std::string key_path = data_dir + "/log.key";
  const std::string next_path = data_dir + "/log.next.key";
  const std::string next_pub_path = data_dir + "/log.next.pub";
  std::string done;
  absl::StatusOr<std::optional<std::string>> next_file = storage::ReadFileIfExists(next_path);
  if (!next_file.ok()) return next_file.status();
  if (next_file->has_value()) {
    bool created = false;
    absl::StatusOr<domain::NoteSigner> next = LoadOrCreateLogKey(next_path, origin, &created);
    if (!next.ok()) return next.status();
    if (next->VerifierKey() == log.VerifierKey()) {
      // A finish that stopped after replacing log.key: only the leftovers remain.
      std::remove(next_path.c_str());
      std::remove(next_pub_path.c_str());
      return std::string("finished");
    }
    log.CoSignWith(*std::move(next));
    done = "resumed";
  } else if (begin) {
    absl::StatusOr<domain::NoteSigner> next = domain::NoteSigner::Generate(origin);
    if (!next.ok()) return next.status();
    const std::string seed = next->raw_private_key();
    const std::string next_key = next->VerifierKey();
    if (absl::Status status = log.BeginKeyRotation(*std::move(next)); !status.ok()) return status;
    if (absl::Status status = SaveLogKey(next_path, seed); !status.ok()) return status;
    if (absl::Status status = storage::WriteFileAtomically(next_pub_path, next_key + "\n", 0644);
        !status.ok()) {
      return status;
    }
    done = "begun";
  }
  const std::string next_key = log.NextVerifierKey();
  if (!finish || next_key.empty()) return done;

  const std::string retiring = log.VerifierKey();
  absl::StatusOr<domain::NoteVerifier> old = domain::NoteVerifier::FromVerifierKey(retiring);
  if (!old.ok()) return old.status();
  absl::Status finished = log.FinishKeyRotation([&]() -> absl::Status {
    // The old verifier key stays beside the data for checking old checkpoints; then
    // log.key becomes the next key (the step that makes the rotation final on disk).
    if (absl::Status status = storage::WriteFileAtomically(
            absl::StrCat(data_dir, "/log.retired-", absl::Hex(old->key_id(), absl::kZeroPad8),
                         ".pub"),
            retiring + "\n", 0644);
        !status.ok()) {
      return status;
    }
    absl::StatusOr<std::optional<std::string>> next_seed = storage::ReadFileIfExists(next_path);
    if (!next_seed.ok()) return next_seed.status();
    if (!next_seed->has_value()) return absl::DataLossError(next_path + " disappeared");
    if (absl::Status status = storage::WriteFileAtomically(key_path, **next_seed, 0600);
        !status.ok()) {
      return status;
    }
    return storage::WriteFileAtomically(data_dir + "/log.pub", next_key + "\n", 0644);
  });
  if (!finished.ok()) return finished;
  std::remove(next_path.c_str());
  std::remove(next_pub_path.c_str());
  return std::string("finished");
}

absl::StatusOr<bool> CopyLogKeyFiles(const std::string& from, const std::string& to) {
  std::vector<std::string> names = {"log.key", "log.pub", "log.next.key", "log.next.pub"};
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(from, error)) {
    std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, "log.retired-") && absl::EndsWith(name, ".pub")) {
      names.push_back(std::move(name));
    }
  }
  if (error) return absl::InternalError(absl::StrCat("cannot list ", from, ": ", error.message()));
  bool complete = true;
  for (const std::string& name : names) {
    absl::StatusOr<std::optional<std::string>> content =
        storage::ReadFileIfExists(absl::StrCat(from, "/", name));
    if (!content.ok()) return content.status();
    if (!content->has_value()) {
      if (absl::StartsWith(name, "log.next.")) {
        std::error_code ignored;
        std::filesystem::remove(std::filesystem::path(to) / name, ignored);
      } else {
        complete = false;
      }
      continue;
    }
    const mode_t mode = absl::EndsWith(name, ".key") ? 0600 : 0644;
    if (absl::Status status =
            storage::WriteFileAtomically(absl::StrCat(to, "/", name), **content, mode);
        !status.ok()) {
      return status;
    }
  }
  return complete;
}

}  // namespace sello::service
