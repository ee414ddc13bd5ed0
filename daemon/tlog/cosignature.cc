#include "daemon/tlog/cosignature.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sello::domain {
namespace {

std::string BigEndian64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (56 - 8 * i)) & 0xFF);
  return bytes;
}

uint64_t ReadBigEndian64(absl::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

absl::StatusOr<CosignatureSigner> CosignatureSigner::FromKey(absl::StatusOr<NoteSigner> key) {
  if (!key.ok()) return key.status();
  const uint32_t key_id = NoteKeyId(key->name(), kNoteAlgCosignatureV1, key->raw_public_key());
  return CosignatureSigner(*std::move(key), key_id);
}

std::string CosignedMessage(absl::string_view checkpoint_text, uint64_t timestamp) {
  return absl::StrCat("cosignature/v1\ntime ", timestamp, "\n", checkpoint_text);
}

absl::StatusOr<CosignatureSigner> CosignatureSigner::Generate(absl::string_view name) {
  return FromKey(NoteSigner::Generate(name));
}

absl::StatusOr<CosignatureSigner> CosignatureSigner::FromPrivateKey(
    absl::string_view name, absl::string_view raw_private_key) {
  return FromKey(NoteSigner::FromPrivateKey(name, raw_private_key));
}

std::string CosignatureSigner::VerifierKey() const {
  return FormatVerifierKey(
      VerifierKeyParts{name(), key_id_, kNoteAlgCosignatureV1, raw_public_key()});
}

absl::StatusOr<std::string> CosignatureSigner::Cosign(absl::string_view checkpoint_text,
                                                      absl::Time time) const {
  if (absl::StatusOr<CheckpointText> parsed = ParseCheckpointText(checkpoint_text); !parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cosign: not a checkpoint: ", parsed.status().message()));
  }
  if (time < absl::UnixEpoch() || time == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("cosign: the time is before 1970 or infinite");
  }
  // tlog-cosignature: the timestamp is POSIX seconds and MUST NOT exceed 2^63 - 1.
  const uint64_t timestamp = static_cast<uint64_t>(absl::ToUnixSeconds(time));
  absl::StatusOr<std::string> signature =
      key_.SignBytes(CosignedMessage(checkpoint_text, timestamp));
  if (!signature.ok()) return signature.status();
  return FormatSignatureLine(
      NoteSignature{name(), key_id_, absl::StrCat(BigEndian64(timestamp), *signature)});
}

absl::StatusOr<CosignatureVerifier> CosignatureVerifier::FromVerifierKey(
    absl::string_view verifier_key) {
  absl::StatusOr<VerifierKeyParts> parts = ParseVerifierKey(verifier_key);
  if (!parts.ok()) return parts.status();
  if (parts->signature_type == kNoteAlgCosignatureMlDsa) {
    return absl::InvalidArgumentError(
        "verifier key: ML-DSA-44 cosignatures (type 0x06) are not supported; want an Ed25519 "
        "cosignature/v1 key (type 0x04)");
  }
  if (parts->signature_type != kNoteAlgCosignatureV1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "verifier key: signature type 0x%02x is not 0x04 (an Ed25519 witness cosignature)%s",
        parts->signature_type,
        parts->signature_type == kNoteAlgEd25519 ? "; 0x01 is a log's key, not a witness's" : ""));
  }
  absl::StatusOr<std::shared_ptr<EVP_PKEY>> key = Ed25519PublicKey(parts->public_key);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("verifier key: ", key.status().message()));
  }
  if (absl::Status status = CheckVerifierKeyId(*parts); !status.ok()) return status;
  return CosignatureVerifier(std::move(parts->name), *std::move(key), std::move(parts->public_key),
                             parts->key_id);
}

std::string CosignatureVerifier::VerifierKey() const {
  return FormatVerifierKey(VerifierKeyParts{name_, key_id_, kNoteAlgCosignatureV1, public_key_});
}

std::string CosignatureVerifier::Label() const {
  return absl::StrFormat("%s+%08x", name_, key_id_);
}

absl::StatusOr<absl::Time> CosignatureVerifier::Verify(absl::string_view checkpoint_text,
                                                       absl::string_view signature) const {
  const auto fails = [&](absl::string_view why) {
    return absl::FailedPreconditionError(
        absl::StrCat("cosignature by ", Label(), " does not verify: ", why));
  };
  if (signature.size() != kCosignatureSize) {
    return fails(
        absl::StrFormat("%d bytes after the key id, want %d", signature.size(), kCosignatureSize));
  }
  const uint64_t timestamp = ReadBigEndian64(signature);
  if (timestamp > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return fails("timestamp beyond 2^63 - 1");
  }
  if (!Ed25519Verify(key_.get(), CosignedMessage(checkpoint_text, timestamp),
                     signature.substr(8))) {
    return fails("bad Ed25519 signature");
  }
  return absl::FromUnixSeconds(static_cast<int64_t>(timestamp));
}

absl::StatusOr<std::vector<NoteSignature>> ParseSignatureLines(absl::string_view lines) {
  if (lines.empty()) return absl::InvalidArgumentError("signature lines: none");
  if (lines.back() != '\n') {
    return absl::InvalidArgumentError("signature lines: the last does not end with a newline");
  }
  if (absl::Status status = CheckNoteCharacters(lines, "signature lines"); !status.ok()) {
    return status;
  }
  std::vector<NoteSignature> parsed;
  int number = 0;
  while (!lines.empty()) {
    ++number;
    if (number > kMaxNoteSignatures) {
      return absl::ResourceExhaustedError(
          absl::StrFormat("signature lines: more than %d", kMaxNoteSignatures));
    }
    const size_t end = lines.find('\n');
    absl::StatusOr<NoteSignature> signature = ParseSignatureLine(lines.substr(0, end));
    lines.remove_prefix(end + 1);
    if (!signature.ok()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("signature line %d: %s", number, signature.status().message()));
    }
    parsed.push_back(*std::move(signature));
  }
  return parsed;
}

absl::StatusOr<std::string> MergeSignatureLines(absl::string_view note, absl::string_view lines) {
  absl::StatusOr<SignedNote> merged = ParseSignedNote(note);
  if (!merged.ok()) return merged.status();
  absl::StatusOr<std::vector<NoteSignature>> added = ParseSignatureLines(lines);
  if (!added.ok()) return added.status();
  for (NoteSignature& signature : *added) {
    bool replaced = false;
    for (NoteSignature& existing : merged->signatures) {
      if (existing.name == signature.name && existing.key_id == signature.key_id) {
        existing = signature;
        replaced = true;
        break;
      }
    }
    if (!replaced) merged->signatures.push_back(std::move(signature));
  }
  if (merged->signatures.size() > static_cast<size_t>(kMaxNoteSignatures)) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("note: more than %d signature lines", kMaxNoteSignatures));
  }
  return FormatSignedNote(*merged);
}

}  // namespace sello::domain
