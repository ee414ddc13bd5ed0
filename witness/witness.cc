#include "witness/witness.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "daemon/server/json_logger.h"
#include "daemon/tlog/signed_note.h"
#include "google/protobuf/util/json_util.h"

namespace sello::witness {
namespace {

using domain::AddCheckpointOutcome;
using service::LogInfo;
using service::LogWarning;

HttpAnswer Text(int status, absl::string_view message) {
  return HttpAnswer{status, "text/plain; charset=utf-8", absl::StrCat(message, "\n")};
}

// The origin line of a checkpoint note (its first line), or "" when there is none.
absl::string_view OriginOf(absl::string_view note) {
  const size_t end = note.find('\n');
  return end == absl::string_view::npos ? absl::string_view() : note.substr(0, end);
}

// A Prometheus label value: backslash, quote and newline escaped.
std::string Label(absl::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<WitnessedLog>> LogsFromVerifierKeys(
    const std::vector<std::string>& verifier_keys) {
  std::vector<WitnessedLog> logs;
  for (const std::string& key : verifier_keys) {
    absl::StatusOr<domain::NoteVerifier> verifier = domain::NoteVerifier::FromVerifierKey(key);
    if (!verifier.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("log key ", domain::QuoteForMessage(key), ": ",
                                                     verifier.status().message()));
    }
    WitnessedLog* log = nullptr;
    for (WitnessedLog& known : logs) {
      if (known.origin == verifier->name()) log = &known;
    }
    if (log == nullptr) log = &logs.emplace_back(WitnessedLog{verifier->name(), {}});
    for (const domain::NoteVerifier& other : log->keys) {
      if (other.raw_public_key() == verifier->raw_public_key()) {
        return absl::InvalidArgumentError(
            absl::StrCat("log key ", verifier->VerifierKey(), " is given twice"));
      }
    }
    log->keys.push_back(*std::move(verifier));
  }
  return logs;
}

absl::StatusOr<std::unique_ptr<Witness>> Witness::Create(domain::CosignatureSigner signer,
                                                         std::vector<WitnessedLog> logs,
                                                         std::unique_ptr<WitnessStore> store,
                                                         std::function<absl::Time()> clock) {
  std::unique_ptr<Witness> witness(
      new Witness(std::move(signer), std::move(store), std::move(clock)));
  for (WitnessedLog& config : logs) {
    auto state = std::make_unique<LogState>();
    absl::MutexLock lock(&state->mutex);
    if (std::optional<std::string> note = witness->store_->CosignedNote(config.origin)) {
      absl::StatusOr<domain::SignedNote> parsed = domain::ParseSignedNote(*note);
      absl::StatusOr<domain::CheckpointText> checkpoint =
          parsed.ok() ? domain::ParseCheckpointText(parsed->text) : parsed.status();
      if (!checkpoint.ok()) return checkpoint.status();
      state->held = domain::WitnessedTree{checkpoint->size, checkpoint->root_hash};
      state->held_note = *std::move(note);
    }
    const std::string origin = config.origin;
    state->config = std::move(config);
    witness->logs_.emplace(origin, std::move(state));
  }
  return witness;
}

HttpAnswer Witness::AddCheckpoint(absl::string_view body) {
  absl::StatusOr<domain::AddCheckpointRequest> request = domain::ParseAddCheckpointRequest(body);
  if (!request.ok()) {
    ++malformed_;
    return Text(400, request.status().message());
  }
  // tlog-witness: an unknown origin is 404; no valid signature by a trusted key, or a
  // trusted key's line that does not verify, is 403.
  const std::string origin(OriginOf(request->checkpoint));
  const auto found = logs_.find(origin);
  if (found == logs_.end()) {
    ++unknown_origin_;
    return Text(404, absl::StrCat("unknown log origin ", domain::QuoteForMessage(origin),
                                  ": this witness does not witness it"));
  }
  LogState& log = *found->second;
  absl::StatusOr<domain::SignedNote> note = domain::ParseSignedNote(request->checkpoint);
  if (!note.ok()) {
    ++malformed_;
    return Text(400, note.status().message());
  }
  if (std::optional<HttpAnswer> refused = CheckLogSignature(log, *note, request->checkpoint)) {
    return *std::move(refused);
  }
  absl::StatusOr<domain::CheckpointText> checkpoint = domain::ParseCheckpointText(note->text);
  if (!checkpoint.ok()) {
    ++malformed_;
    return Text(400, checkpoint.status().message());
  }

  absl::MutexLock lock(&log.mutex);
  const domain::AddCheckpointVerdict verdict =
      domain::JudgeAddCheckpoint(log.held, *request, checkpoint->size, checkpoint->root_hash);
  if (std::optional<HttpAnswer> refused = Refuse(log, *request, verdict)) {
    return *std::move(refused);
  }
  if (std::optional<HttpAnswer> failed = Advance(log, *request, *checkpoint)) {
    return *std::move(failed);
  }
  return Cosign(log, note->text);
}

std::optional<HttpAnswer> Witness::CheckLogSignature(LogState& log, const domain::SignedNote& note,
                                                     absl::string_view checkpoint_note) {
  bool verified = false;
  for (const domain::NoteVerifier& key : log.config.keys) {
    const bool signed_by_key = std::any_of(
        note.signatures.begin(), note.signatures.end(), [&](const domain::NoteSignature& line) {
          return line.name == key.name() && line.key_id == key.key_id();
        });
    if (!signed_by_key) continue;
    absl::StatusOr<std::string> text = key.Verify(checkpoint_note);
    if (!text.ok()) {
      ++log.refused_signature;
      return Text(403, text.status().message());
    }
    verified = true;
  }
  if (verified) return std::nullopt;
  ++log.refused_signature;
  return Text(
      403, absl::StrCat("no valid signature by a key this witness trusts for ", log.config.origin));
}

std::optional<HttpAnswer> Witness::Refuse(LogState& log,
                                          const domain::AddCheckpointRequest& request,
                                          const domain::AddCheckpointVerdict& verdict) {
  switch (verdict.outcome) {
    case AddCheckpointOutcome::kBadRequest:
      ++malformed_;
      return Text(400, verdict.reason);
    case AddCheckpointOutcome::kSizeConflict:
      ++log.refused_conflict;
      return HttpAnswer{409, std::string(domain::kTreeSizeContentType),
                        domain::FormatTreeSize(log.held.has_value() ? log.held->size : 0)};
    case AddCheckpointOutcome::kRootConflict:
      ++log.refused_conflict;
      KeepEvidence(log, request, verdict);
      return Text(409, verdict.reason);
    case AddCheckpointOutcome::kInconsistent:
      ++log.refused_inconsistent;
      if (verdict.evidence) KeepEvidence(log, request, verdict);
      return Text(422, verdict.reason);
    case AddCheckpointOutcome::kCosign:
      break;
  }
  return std::nullopt;
}

std::optional<HttpAnswer> Witness::Advance(LogState& log,
                                           const domain::AddCheckpointRequest& request,
                                           const domain::CheckpointText& checkpoint) {
  if (log.held.has_value() && log.held->size == checkpoint.size) return std::nullopt;
  // tlog-witness: persist the new checkpoint before responding, atomically with the
  // check (the lock is held across both).
  const absl::Time start = absl::Now();
  absl::Status saved = store_->SaveCosignedNote(log.config.origin, request.checkpoint);
  persist_micros_ += static_cast<uint64_t>(absl::ToInt64Microseconds(absl::Now() - start));
  ++persist_count_;
  if (!saved.ok()) {
    ++persist_failures_;
    LogWarning("state_write_failed", {{"origin", log.config.origin}, {"error", saved.message()}});
    return Text(503, "cannot save the witness's state; try again later");
  }
  log.held = domain::WitnessedTree{checkpoint.size, checkpoint.root_hash};
  log.held_note = request.checkpoint;
  return std::nullopt;
}

HttpAnswer Witness::Cosign(LogState& log, absl::string_view note_text) {
  const absl::Time now = clock_();
  absl::StatusOr<std::string> cosignature = signer_.Cosign(note_text, now);
  if (!cosignature.ok()) {
    // The state already moved on (a request of the same size will be cosigned); this
    // one is answered as a failure rather than with a signature we could not make.
    return Text(500, cosignature.status().message());
  }
  log.last_cosigned = now;
  ++log.cosigned;
  return HttpAnswer{200, "text/plain; charset=utf-8", *std::move(cosignature)};
}

void Witness::KeepEvidence(LogState& log, const domain::AddCheckpointRequest& request,
                           const domain::AddCheckpointVerdict& verdict) {
  tools::WitnessEvidence evidence;
  evidence.set_origin(log.config.origin);
  evidence.set_kind(verdict.outcome == AddCheckpointOutcome::kRootConflict
                        ? "same_size_different_root"
                        : "consistency_proof_failed");
  evidence.set_received_time(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", clock_(), absl::UTCTimeZone()));
  evidence.set_cosigned_note(log.held_note);
  evidence.set_conflicting_note(request.checkpoint);
  evidence.set_old_size(request.old_size);
  for (const std::string& hash : request.proof) evidence.add_proof(absl::Base64Escape(hash));
  evidence.set_reason(verdict.reason);
  absl::StatusOr<bool> kept = store_->AddEvidence(evidence);
  if (!kept.ok()) {
    ++log.evidence_dropped;
    LogWarning("evidence_not_kept",
               {{"origin", log.config.origin}, {"error", kept.status().message()}});
    return;
  }
  if (*kept) {
    LogWarning(
        "evidence_kept",
        {{"origin", log.config.origin}, {"kind", evidence.kind()}, {"reason", verdict.reason}});
  }
}

HttpAnswer Witness::Evidence() const {
  tools::WitnessEvidenceList list;
  list.set_witness_key(signer_.VerifierKey());
  for (tools::WitnessEvidence& evidence : store_->Evidence()) {
    *list.add_evidence() = std::move(evidence);
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(list, &json, options).ok()) {
    return Text(500, "cannot write the evidence as JSON");
  }
  return HttpAnswer{200, "application/json", json};
}

HttpAnswer Witness::Describe() const {
  std::string text = absl::StrCat(
      "sello-witness: a C2SP tlog-witness (POST /add-checkpoint; GET /evidence)\n"
      "cosignature key: ",
      signer_.VerifierKey(), "\n");
  for (const auto& [origin, log] : logs_) {
    absl::MutexLock lock(&log->mutex);
    absl::StrAppend(&text, "log ", origin, ": ",
                    log->held.has_value()
                        ? absl::StrCat("cosigned size ", log->held->size, ", root ",
                                       absl::Base64Escape(log->held->root_hash))
                        : std::string("nothing cosigned yet"),
                    "\n");
  }
  return HttpAnswer{200, "text/plain; charset=utf-8", text};
}

std::string Witness::Metrics() const {
  std::string out;
  const auto family = [&](absl::string_view name, absl::string_view type, absl::string_view help) {
    absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  };
  family("sello_witness_checkpoint_size", "gauge", "Tree size of the checkpoint last cosigned.");
  for (const auto& [origin, log] : logs_) {
    absl::MutexLock lock(&log->mutex);
    absl::StrAppend(&out, "sello_witness_checkpoint_size{origin=\"", Label(origin), "\"} ",
                    log->held.has_value() ? log->held->size : 0, "\n");
  }
  family("sello_witness_last_cosignature_timestamp_seconds", "gauge",
         "When this witness last cosigned a checkpoint of the log (0: never since start).");
  for (const auto& [origin, log] : logs_) {
    absl::MutexLock lock(&log->mutex);
    const int64_t seconds =
        log->last_cosigned == absl::InfinitePast() ? 0 : absl::ToUnixSeconds(log->last_cosigned);
    absl::StrAppend(&out, "sello_witness_last_cosignature_timestamp_seconds{origin=\"",
                    Label(origin), "\"} ", seconds, "\n");
  }
  family("sello_witness_add_checkpoint_total", "counter",
         "add-checkpoint requests for a known log, by result.");
  for (const auto& [origin, log] : logs_) {
    for (const auto& [result, count] :
         {std::pair{"cosigned", log->cosigned.load()},
          std::pair{"conflict", log->refused_conflict.load()},
          std::pair{"inconsistent", log->refused_inconsistent.load()},
          std::pair{"bad_signature", log->refused_signature.load()}}) {
      absl::StrAppend(&out, "sello_witness_add_checkpoint_total{origin=\"", Label(origin),
                      "\",result=\"", result, "\"} ", count, "\n");
    }
  }
  family("sello_witness_evidence", "gauge",
         "Conflicting checkpoints kept as evidence (a log showed two histories).");
  for (const auto& [origin, log] : logs_) {
    absl::StrAppend(&out, "sello_witness_evidence{origin=\"", Label(origin), "\"} ",
                    store_->EvidenceCount(origin), "\n");
  }
  family("sello_witness_evidence_dropped_total", "counter",
         "Conflicts not kept (the per-log limit was reached, or the write failed).");
  for (const auto& [origin, log] : logs_) {
    absl::StrAppend(&out, "sello_witness_evidence_dropped_total{origin=\"", Label(origin), "\"} ",
                    log->evidence_dropped.load(), "\n");
  }
  family("sello_witness_rejected_total", "counter",
         "add-checkpoint requests refused before a log was identified, by reason.");
  absl::StrAppend(&out, "sello_witness_rejected_total{reason=\"malformed\"} ", malformed_.load(),
                  "\nsello_witness_rejected_total{reason=\"unknown_origin\"} ",
                  unknown_origin_.load(), "\n");
  family("sello_witness_state_write_seconds", "summary",
         "Time to write and sync the state before cosigning.");
  absl::StrAppend(&out, "sello_witness_state_write_seconds_sum ",
                  absl::StrFormat("%.6f", static_cast<double>(persist_micros_.load()) / 1e6),
                  "\nsello_witness_state_write_seconds_count ", persist_count_.load(), "\n");
  family("sello_witness_state_write_failures_total", "counter",
         "State writes that failed (the request was answered 503, nothing cosigned).");
  absl::StrAppend(&out, "sello_witness_state_write_failures_total ", persist_failures_.load(),
                  "\n");
  return out;
}

}  // namespace sello::witness
