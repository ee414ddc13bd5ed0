#include "client/auditor.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "daemon/domain/crypto.h"
#include "daemon/tlog/merkle.h"
#include "google/protobuf/util/json_util.h"

namespace sello::client {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::Status Evidence(absl::string_view message) { return absl::DataLossError(message); }

std::vector<std::string> Hashes(const google::protobuf::RepeatedPtrField<std::string>& hashes) {
  return std::vector<std::string>(hashes.begin(), hashes.end());
}

absl::Status VerifyEventInclusion(const v1::LoggedEvent& event,
                                  const std::vector<std::string>& proof,
                                  const SignedCheckpoint& at) {
  absl::StatusOr<std::string> leaf = CheckedLeafHash(event);
  if (!leaf.ok()) return leaf.status();
  if (event.seq() == 0 || event.seq() > at.checkpoint.size) {
    return Evidence(
        absl::StrCat("event ", event.seq(), " is not within checkpoint size ", at.checkpoint.size));
  }
  absl::Status status = domain::merkle::VerifyInclusion(*leaf, event.seq() - 1, at.checkpoint.size,
                                                        proof, at.checkpoint.root_hash);
  if (!status.ok()) {
    return Evidence(absl::StrCat("event ", event.seq(), " is not in the signed tree of size ",
                                 at.checkpoint.size, ": ", status.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SignedCheckpoint> OpenSignedCheckpoint(const domain::NoteVerifier& verifier,
                                                      absl::string_view note,
                                                      const domain::WitnessPolicy* policy) {
  absl::StatusOr<domain::Checkpoint> checkpoint =
      domain::OpenCheckpoint(verifier, note, verifier.name());
  if (!checkpoint.ok()) {
    return Evidence(absl::StrCat("checkpoint does not verify with the pinned key ",
                                 verifier.VerifierKey(), ": ", checkpoint.status().message(),
                                 "\n--- the note received ---\n", note));
  }
  SignedCheckpoint opened{*std::move(checkpoint), std::string(note), std::nullopt};
  if (policy == nullptr) return opened;
  absl::StatusOr<domain::QuorumResult> quorum = policy->Evaluate(note);
  if (!quorum.ok()) {
    return Evidence(absl::StrCat("checkpoint ", opened.checkpoint.size,
                                 " carries a cosignature that does not verify: ",
                                 quorum.status().message(), "\n--- the note received ---\n", note));
  }
  if (!quorum->met) {
    return Evidence(absl::StrCat(
        "checkpoint ", opened.checkpoint.size, " lacks the witness policy's quorum (",
        policy->DescribeQuorum(), "): ", quorum->Describe(),
        ".\nA registry that serves a checkpoint its witnesses did not cosign may be showing "
        "you a history the others do not see.\n--- the note received ---\n",
        note));
  }
  opened.quorum = *std::move(quorum);
  return opened;
}

absl::StatusOr<domain::WitnessPolicy> LoadWitnessPolicy(const std::string& path,
                                                        const domain::NoteVerifier& verifier) {
  absl::StatusOr<std::optional<std::string>> text = storage::ReadFileIfExists(path);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return absl::InvalidArgumentError(absl::StrCat(path, ": no such file"));
  absl::StatusOr<domain::WitnessPolicy> policy = domain::WitnessPolicy::Parse(**text);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", policy.status().message()));
  }
  if (!policy->logs().empty()) {
    const domain::WitnessPolicy::Log* log = policy->FindLog(verifier.name());
    if (log == nullptr || log->verifier.raw_public_key() != verifier.raw_public_key()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": the policy does not list the pinned log key ", verifier.VerifierKey()));
    }
  }
  return policy;
}

absl::Status CheckConsistency(const SignedCheckpoint& trusted, const SignedCheckpoint& latest,
                              const std::vector<std::string>& proof) {
  const uint64_t old_size = trusted.checkpoint.size;
  const uint64_t new_size = latest.checkpoint.size;
  absl::Status status;
  if (new_size < old_size) {
    status = absl::DataLossError(
        absl::StrCat("the log shrank from ", old_size, " to ", new_size, " events"));
  } else if (old_size == new_size) {
    if (trusted.checkpoint.root_hash != latest.checkpoint.root_hash) {
      status = absl::DataLossError(absl::StrCat("two different roots for size ", old_size));
    }
  } else if (old_size > 0) {
    status = domain::merkle::VerifyConsistency(old_size, new_size, trusted.checkpoint.root_hash,
                                               latest.checkpoint.root_hash, proof);
  }
  if (status.ok()) return status;
  return Evidence(absl::StrCat(
      "THE LOG IS INCONSISTENT: checkpoint ", new_size, " does not extend checkpoint ", old_size,
      " (", status.message(),
      ").\nBoth are signed by the log's key; together they prove it rewrote or hid history.\n"
      "--- trusted checkpoint ---\n",
      trusted.note, "--- new checkpoint ---\n", latest.note));
}

absl::StatusOr<std::string> CheckedLeafHash(const v1::LoggedEvent& event) {
  if (event.leaf_data().empty()) {
    if (event.leaf_hash().size() != domain::merkle::kHashSize) {
      return Evidence(absl::StrCat("event ", event.seq(), " has neither data nor a leaf hash"));
    }
    return event.leaf_hash();  // redacted: only its hash can be checked
  }
  v1::Event parsed;
  if (!parsed.ParseFromString(event.leaf_data()) || parsed.seq() != event.seq()) {
    return Evidence(absl::StrCat("event ", event.seq(), ": its leaf data is not that event"));
  }
  return domain::merkle::LeafHash(event.leaf_data());
}

absl::Status CheckRecordDigest(absl::string_view record, const v1::LoggedEvent& event) {
  v1::Event parsed;
  if (!parsed.ParseFromString(event.leaf_data())) {
    return Evidence(absl::StrCat("event ", event.seq(), " is unreadable"));
  }
  if (domain::Sha256(record) != parsed.record_sha256()) {
    return Evidence(absl::StrCat(
        "record ", parsed.subjects_size() > 0 ? parsed.subjects(0) : "?",
        " does not match its logged digest (event ", event.seq(), " ", parsed.kind(), " says ",
        domain::HexEncode(parsed.record_sha256()), ", the record served hashes to ",
        domain::HexEncode(domain::Sha256(record)), "): it was changed outside the log"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SignedCheckpoint> Auditor::FetchCheckpoint() {
  v1::GetCheckpointResponse response;
  grpc::Status status = connection_.log().GetCheckpoint(connection_.NewContext().get(),
                                                        v1::GetCheckpointRequest(), &response);
  if (!status.ok()) return FromGrpc(status);
  absl::StatusOr<SignedCheckpoint> opened =
      OpenSignedCheckpoint(verifier_, response.checkpoint().note(), policy_);
  if (opened.ok() || response.verifier_key() == verifier_.VerifierKey()) return opened;
  // Not signed by the pinned key. If the key the server names signs it, and that log
  // announced a rotation from the pinned key to it, the auditor missed a rotation: not
  // evidence of anything, but nothing can be checked until the pin moves.
  absl::StatusOr<domain::NoteVerifier> claimed =
      domain::NoteVerifier::FromVerifierKey(response.verifier_key());
  if (!claimed.ok()) return opened;
  absl::StatusOr<SignedCheckpoint> theirs =
      OpenSignedCheckpoint(*claimed, response.checkpoint().note());
  if (!theirs.ok()) return opened;
  Auditor other(connection_, *claimed);
  absl::StatusOr<uint64_t> announced =
      other.ProveKeyRotation(verifier_.VerifierKey(), claimed->VerifierKey(), *theirs);
  if (!announced.ok()) return opened;
  return absl::FailedPreconditionError(absl::StrCat(
      "the log is no longer signed by the pinned key ", verifier_.VerifierKey(), ": it moved to ",
      claimed->VerifierKey(), " (key rotation announced in event #", *announced,
      "; no signature by the pinned key on the newest checkpoint). Check the new key with the "
      "registry's operator, then pin it (--log-key or --log-key-file): your saved state carries "
      "over, since the log proves the rotation from the key it was saved with "
      "(deploy/README.md, \"The signing key\")"));
}

absl::StatusOr<uint64_t> Auditor::ProveKeyRotation(const std::string& from_key,
                                                   const std::string& to_key,
                                                   const SignedCheckpoint& at) {
  absl::StatusOr<domain::NoteVerifier> to = domain::NoteVerifier::FromVerifierKey(to_key);
  if (!to.ok()) return to.status();
  // The daemon names rotation events log_key/<the next key's id> (TransparencyLog).
  const std::string subject = absl::StrCat("log_key/", to_key.substr(to->name().size() + 1, 8));
  absl::StatusOr<v1::GetInclusionProofResponse> proven = ProveInclusion(0, subject, at);
  if (absl::IsNotFound(proven.status()) || absl::IsInvalidArgument(proven.status()) ||
      absl::IsOutOfRange(proven.status())) {
    return absl::NotFoundError(absl::StrCat("the log announces no rotation to ", to_key,
                                            " in checkpoint ", at.checkpoint.size));
  }
  if (!proven.ok()) return proven.status();
  v1::Event event;
  if (!event.ParseFromString(proven->event().leaf_data())) {
    return Evidence(absl::StrCat("event ", proven->event().seq(), " is unreadable"));
  }
  // The record (current key -> next key) is not served on its own; its digest is in the
  // event, so the record it must be is rebuilt and hashed.
  for (bool finished : {false, true}) {
    v1::LogKeyRotation rotation;
    rotation.set_current_verifier_key(from_key);
    rotation.set_next_verifier_key(to_key);
    rotation.set_finished(finished);
    if ((event.kind() == "log.key_rotation_begun" || event.kind() == "log.key_rotation_finished") &&
        domain::Sha256(rotation.SerializeAsString()) == event.record_sha256()) {
      return event.seq();
    }
  }
  return absl::NotFoundError(absl::StrCat("the log announces no rotation from ", from_key, " to ",
                                          to_key, " in checkpoint ", at.checkpoint.size));
}

absl::Status Auditor::VerifyExtends(const SignedCheckpoint& trusted,
                                    const SignedCheckpoint& latest) {
  std::vector<std::string> proof;
  const uint64_t old_size = trusted.checkpoint.size;
  if (old_size > 0 && old_size < latest.checkpoint.size) {
    v1::GetConsistencyProofRequest request;
    request.set_old_size(old_size);
    request.set_new_size(latest.checkpoint.size);
    v1::GetConsistencyProofResponse response;
    grpc::Status status =
        connection_.log().GetConsistencyProof(connection_.NewContext().get(), request, &response);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return FromGrpc(status);
    }
    if (!status.ok()) {
      // A log that signed both checkpoints but cannot prove one extends the other is
      // as suspect as one whose proof fails.
      return Evidence(absl::StrCat("THE LOG CANNOT PROVE checkpoint ", latest.checkpoint.size,
                                   " extends checkpoint ", old_size, ": ", status.error_message(),
                                   "\n--- trusted checkpoint ---\n", trusted.note,
                                   "--- new checkpoint ---\n", latest.note));
    }
    proof = Hashes(response.hashes());
  }
  return CheckConsistency(trusted, latest, proof);
}

absl::StatusOr<v1::GetInclusionProofResponse> Auditor::ProveInclusion(uint64_t seq,
                                                                      absl::string_view subject,
                                                                      const SignedCheckpoint& at) {
  v1::GetInclusionProofRequest request;
  if (seq > 0) {
    request.set_seq(seq);
  } else {
    request.set_subject(std::string(subject));
  }
  request.set_tree_size(at.checkpoint.size);
  v1::GetInclusionProofResponse response;
  grpc::Status status =
      connection_.log().GetInclusionProof(connection_.NewContext().get(), request, &response);
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
      status.error_code() == grpc::StatusCode::OUT_OF_RANGE ||
      status.error_code() == grpc::StatusCode::DATA_LOSS ||
      status.error_code() == grpc::StatusCode::INTERNAL) {
    // The log signed a checkpoint of this size; failing to prove an event in it (for
    // instance because it no longer holds that many events) is evidence, not an error.
    const bool evidence = status.error_code() == grpc::StatusCode::DATA_LOSS ||
                          status.error_code() == grpc::StatusCode::INTERNAL ||
                          (seq > 0 && seq <= at.checkpoint.size);
    if (evidence) {
      return Evidence(absl::StrCat(
          "the log cannot prove ", seq > 0 ? absl::StrCat("event ", seq) : std::string(subject),
          " is in its own signed checkpoint of size ", at.checkpoint.size, ": ",
          status.error_message(), "\n--- that checkpoint ---\n", at.note));
    }
  }
  if (!status.ok()) return FromGrpc(status);
  if (seq > 0 && response.event().seq() != seq) {
    return Evidence(absl::StrCat("asked for event ", seq, ", got ", response.event().seq()));
  }
  if (absl::Status verified = VerifyEventInclusion(response.event(), Hashes(response.hashes()), at);
      !verified.ok()) {
    return verified;
  }
  return response;
}

absl::Status Auditor::CheckRecord(absl::string_view subject, const SignedCheckpoint& at) {
  v1::GetRecordRequest request;
  request.set_subject(std::string(subject));
  v1::GetRecordResponse response;
  grpc::Status status =
      connection_.log().GetRecord(connection_.NewContext().get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  if (response.event().seq() > at.checkpoint.size) {
    // Changed after the checkpoint: nothing to compare against yet.
    return absl::OkStatus();
  }
  absl::StatusOr<v1::GetInclusionProofResponse> proven =
      ProveInclusion(response.event().seq(), "", at);
  if (!proven.ok()) return proven.status();
  if (proven->event().leaf_data() != response.event().leaf_data()) {
    return Evidence(absl::StrCat("event ", response.event().seq(),
                                 " differs between GetRecord and GetInclusionProof"));
  }
  return CheckRecordDigest(response.record().value(), proven->event());
}

absl::StatusOr<tools::AuditBundle> Auditor::Export(uint64_t from, uint64_t to,
                                                   const SignedCheckpoint& at) {
  if (from == 0 || from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("--from/--to: need 1 <= from <= to, got ", from, "..", to));
  }
  if (to > at.checkpoint.size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--to: ", to, " is beyond the latest checkpoint (", at.checkpoint.size, " events)"));
  }
  tools::AuditBundle bundle;
  bundle.set_verifier_key(verifier_.VerifierKey());
  bundle.set_checkpoint_note(at.note);
  bundle.set_from_seq(from);
  bundle.set_to_seq(to);
  for (uint64_t seq = from; seq <= to; ++seq) {
    absl::StatusOr<v1::GetInclusionProofResponse> proven = ProveInclusion(seq, "", at);
    if (!proven.ok()) return proven.status();
    tools::ProvenEvent* entry = bundle.add_events();
    *entry->mutable_event() = proven->event();
    *entry->mutable_inclusion_proof() = proven->hashes();
    if (!proven->event().has_event() || proven->event().event().subjects_size() == 0) continue;
    v1::GetRecordRequest request;
    request.set_subject(proven->event().event().subjects(0));
    v1::GetRecordResponse record;
    grpc::Status status =
        connection_.log().GetRecord(connection_.NewContext().get(), request, &record);
    if (status.ok() && record.event().seq() == seq) {
      entry->set_record_data(record.record().value());
      entry->set_record_type(record.record().type_url());
    }
  }
  return bundle;
}

std::string DefaultAuditStatePath() {
  if (const char* path = std::getenv("SELLO_AUDIT_STATE"); path != nullptr && *path) return path;
  std::string base;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state) {
    base = state;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home) {
    base = absl::StrCat(home, "/.local/state");
  } else {
    base = ".";
  }
  return absl::StrCat(base, "/sello/audit-state.json");
}

absl::StatusOr<std::unique_ptr<TrustedState>> TrustedState::Open(const std::string& path) {
  std::error_code error;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", parent.string(), ": ", error.message()));
  }
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open ", lock_path, ": ", std::strerror(errno)));
  }
  // Another sello using the same state waits its turn (its checks are short).
  if (::flock(fd, LOCK_EX) != 0) {
    const int saved = errno;
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat("cannot lock ", lock_path, ": ", std::strerror(saved)));
  }
  std::unique_ptr<TrustedState> state(new TrustedState(path, fd));
  absl::StatusOr<std::optional<std::string>> text = storage::ReadFileIfExists(path);
  if (!text.ok()) return text.status();
  if (text->has_value()) {
    tools::AuditState saved;
    const auto parsed = google::protobuf::util::JsonStringToMessage(**text, &saved);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not an audit state file: ", std::string(parsed.message())));
    }
    state->saved_ = std::move(saved);
  }
  return state;
}

TrustedState::~TrustedState() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

absl::Status TrustedState::Check(Auditor& auditor, const SignedCheckpoint& seen) {
  const domain::NoteVerifier& verifier = auditor.verifier();
  if (!opened_) {
    if (saved_.has_value()) {
      absl::StatusOr<SignedCheckpoint> old =
          OpenSignedCheckpoint(verifier, saved_->checkpoint_note());
      if (!old.ok() && saved_->verifier_key() != verifier.VerifierKey()) {
        // Saved under another key. A checkpoint both keys co-signed (during a rotation)
        // verifies above; otherwise the log itself must prove it moved from the saved
        // key to the pinned one.
        absl::StatusOr<domain::NoteVerifier> saved_verifier =
            domain::NoteVerifier::FromVerifierKey(saved_->verifier_key());
        absl::StatusOr<uint64_t> rotation =
            saved_verifier.ok()
                ? auditor.ProveKeyRotation(saved_->verifier_key(), verifier.VerifierKey(), seen)
                : absl::StatusOr<uint64_t>(saved_verifier.status());
        if (!rotation.ok()) {
          if (absl::IsDataLoss(rotation.status())) return rotation.status();
          return absl::FailedPreconditionError(absl::StrCat(
              path_, " holds a checkpoint verified with key ", saved_->verifier_key(),
              ", not the pinned ", verifier.VerifierKey(),
              ", and the log does not prove a rotation from that key to the pinned one (",
              rotation.status().message(),
              "). Pin the key the state was saved with, or, to start trusting this log afresh, "
              "use another --state (or remove this one)"));
        }
        old = OpenSignedCheckpoint(*saved_verifier, saved_->checkpoint_note());
        if (!old.ok()) return old.status();
        carried_ = absl::StrCat("trust carried from key ", saved_->verifier_key(), " to ",
                                verifier.VerifierKey(),
                                ": the log announced the rotation in event #", *rotation);
      }
      if (!old.ok()) {
        return absl::Status(old.status().code(), absl::StrCat("the trusted checkpoint in ", path_,
                                                              ": ", old.status().message()));
      }
      trusted_ = *std::move(old);
    }
    opened_ = true;
  }
  const std::optional<SignedCheckpoint>& base = newest_.has_value() ? newest_ : trusted_;
  if (base.has_value()) {
    const bool seen_is_newer = seen.checkpoint.size >= base->checkpoint.size;
    absl::Status status =
        seen_is_newer ? auditor.VerifyExtends(*base, seen) : auditor.VerifyExtends(seen, *base);
    if (!status.ok()) return status;
    if (!seen_is_newer) return absl::OkStatus();
  }
  newest_ = seen;
  return absl::OkStatus();
}

absl::Status TrustedState::Save(const domain::NoteVerifier& verifier) {
  if (!newest_.has_value()) return absl::OkStatus();
  if (trusted_.has_value() && newest_->checkpoint.size <= trusted_->checkpoint.size &&
      carried_.empty()) {
    return absl::OkStatus();
  }
  tools::AuditState next;
  next.set_verifier_key(verifier.VerifierKey());
  next.set_checkpoint_note(newest_->note);
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(next, &json, options);
  return storage::WriteFileAtomically(path_, json, 0644);
}

absl::Status VerifySealProof(const v1::SealVerdict& verdict, const domain::NoteVerifier& verifier,
                             const domain::WitnessPolicy* policy,
                             SignedCheckpoint* checkpoint_out) {
  if (!verdict.has_proof() || verdict.proof().issuance_event().tree_size() == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("seal ", verdict.code(),
                     ": no proof yet (the issuance is newer than the latest "
                     "checkpoint, which is signed within a second): ask again"));
  }
  const v1::SealProof& proof = verdict.proof();
  const v1::GetInclusionProofResponse& proven = proof.issuance_event();
  absl::StatusOr<SignedCheckpoint> checkpoint =
      OpenSignedCheckpoint(verifier, proven.checkpoint().note(), policy);
  if (!checkpoint.ok()) return checkpoint.status();
  if (proven.tree_size() != checkpoint->checkpoint.size) {
    return Evidence(absl::StrCat("seal ", verdict.code(), ": proof is for tree size ",
                                 proven.tree_size(), ", the checkpoint is ",
                                 checkpoint->checkpoint.size));
  }
  if (absl::Status status =
          VerifyEventInclusion(proven.event(), Hashes(proven.hashes()), *checkpoint);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckRecordDigest(proof.issuance_record(), proven.event());
      !status.ok()) {
    return status;
  }
  v1::SealIssuance issuance;
  v1::Seal as_issued;
  if (!issuance.ParseFromString(proof.issuance_record()) ||
      !as_issued.ParseFromString(proof.seal_as_issued())) {
    return Evidence(absl::StrCat("seal ", verdict.code(), ": unreadable proof records"));
  }
  if (absl::Status status = domain::merkle::VerifyInclusion(
          domain::merkle::LeafHash(proof.seal_as_issued()), as_issued.position(), issuance.count(),
          Hashes(proof.seal_path()), issuance.seals_root());
      !status.ok()) {
    return Evidence(absl::StrCat("seal ", verdict.code(), " is not in issuance ", issuance.id(),
                                 ": ", status.message()));
  }
  const v1::Seal& served = verdict.seal();
  if (as_issued.code() != served.code() || as_issued.grade() != served.grade() ||
      as_issued.lot_id() != served.lot_id() || as_issued.firm_id() != served.firm_id() ||
      as_issued.certifier_id() != served.certifier_id() ||
      as_issued.issuance_id() != issuance.id() || as_issued.grade() != issuance.grade()) {
    return Evidence(absl::StrCat("seal ", verdict.code(),
                                 ": the answer differs from the seal as issued and logged"));
  }
  if (checkpoint_out != nullptr) *checkpoint_out = *std::move(checkpoint);
  return absl::OkStatus();
}

absl::StatusOr<BundleReport> VerifyBundle(const tools::AuditBundle& bundle,
                                          const domain::NoteVerifier& verifier,
                                          const domain::WitnessPolicy* policy) {
  BundleReport report;
  absl::StatusOr<SignedCheckpoint> checkpoint =
      OpenSignedCheckpoint(verifier, bundle.checkpoint_note(), policy);
  if (!checkpoint.ok()) return checkpoint.status();
  report.checkpoint = *checkpoint;
  uint64_t expected = bundle.from_seq();
  for (const tools::ProvenEvent& entry : bundle.events()) {
    if (entry.event().seq() != expected++) {
      return Evidence(absl::StrCat("bundle: event ", entry.event().seq(), " out of order"));
    }
    if (absl::Status status =
            VerifyEventInclusion(entry.event(), Hashes(entry.inclusion_proof()), *checkpoint);
        !status.ok()) {
      return status;
    }
    ++report.events;
    if (entry.event().leaf_data().empty()) ++report.redacted;
    if (!entry.record_data().empty()) {
      if (absl::Status status = CheckRecordDigest(entry.record_data(), entry.event());
          !status.ok()) {
        return status;
      }
      ++report.records;
    }
  }
  if (report.events > 0 && expected != bundle.to_seq() + 1) {
    return Evidence(
        absl::StrCat("bundle: events end at ", expected - 1, ", not ", bundle.to_seq()));
  }
  return report;
}

}  // namespace sello::client
