#include "client/seal_tlog_proof.h"

#include "absl/strings/str_cat.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/signed_note.h"
#include "daemon/tlog/tlog_proof.h"
#include "sello/tools/witness.pb.h"

namespace sello::client {

absl::StatusOr<std::string> SealTlogProof(const v1::SealVerdict& verdict) {
  if (!verdict.has_proof() || verdict.proof().issuance_event().tree_size() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("seal ", verdict.code(), ": the answer carries no proof yet"));
  }
  const v1::SealProof& proof = verdict.proof();
  const v1::GetInclusionProofResponse& event = proof.issuance_event();
  tools::SealProofExtra extra;
  extra.set_event_leaf_data(event.event().leaf_data());
  extra.set_issuance_record(proof.issuance_record());
  extra.set_seal_as_issued(proof.seal_as_issued());
  *extra.mutable_seal_path() = proof.seal_path();
  domain::TlogProof file;
  file.extra = extra.SerializeAsString();
  file.index = event.event().seq() - 1;
  file.hashes.assign(event.hashes().begin(), event.hashes().end());
  file.checkpoint = event.checkpoint().note();
  return domain::FormatTlogProof(file);
}

absl::StatusOr<SealProofCheck> VerifySealTlogProof(absl::string_view text,
                                                   const domain::NoteVerifier& verifier,
                                                   const domain::WitnessPolicy* policy) {
  absl::StatusOr<domain::TlogProof> file = domain::ParseTlogProof(text);
  if (!file.ok()) return file.status();
  tools::SealProofExtra extra;
  if (!file->extra.has_value() || !extra.ParseFromString(*file->extra)) {
    return absl::InvalidArgumentError(
        "tlog-proof: no seal data in its extra line (not a proof from `sello seal verify`)");
  }
  absl::StatusOr<domain::SignedNote> note = domain::ParseSignedNote(file->checkpoint);
  absl::StatusOr<domain::CheckpointText> checkpoint =
      note.ok() ? domain::ParseCheckpointText(note->text) : note.status();
  if (!checkpoint.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tlog-proof: the checkpoint: ", checkpoint.status().message()));
  }
  // The same checks as an online answer's, from the file's parts.
  v1::Seal seal;
  if (!seal.ParseFromString(extra.seal_as_issued())) {
    return absl::InvalidArgumentError("tlog-proof: the seal in the extra data is unreadable");
  }
  v1::SealVerdict verdict;
  verdict.set_code(seal.code());
  *verdict.mutable_seal() = seal;
  v1::SealProof& proof = *verdict.mutable_proof();
  v1::GetInclusionProofResponse& event = *proof.mutable_issuance_event();
  event.mutable_event()->set_seq(file->index + 1);
  event.mutable_event()->set_leaf_data(extra.event_leaf_data());
  event.set_leaf_index(file->index);
  event.set_tree_size(checkpoint->size);
  for (const std::string& hash : file->hashes) event.add_hashes(hash);
  event.mutable_checkpoint()->set_note(file->checkpoint);
  proof.set_issuance_record(extra.issuance_record());
  proof.set_seal_as_issued(extra.seal_as_issued());
  *proof.mutable_seal_path() = extra.seal_path();
  if (absl::Status status = VerifySealProof(verdict, verifier, policy); !status.ok()) {
    return status;
  }
  absl::StatusOr<SignedCheckpoint> opened =
      OpenSignedCheckpoint(verifier, file->checkpoint, policy);
  if (!opened.ok()) return opened.status();
  return SealProofCheck{std::move(seal), *std::move(opened)};
}

}  // namespace sello::client
