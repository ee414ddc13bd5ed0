// The witness itself (C2SP tlog-witness): for each log it is configured with, it holds
// the checkpoint it last cosigned and cosigns a new one only if the log signed it and it
// extends that one, as a consistency proof shows. The check and the durable update are
// one step per log (a lock held across both), so two requests can never roll the state
// back; the new state is synced before the cosignature is returned. Conflicting
// checkpoints the log signed are kept as evidence. HTTP-agnostic: each call returns the
// status, content type and body to send.
#ifndef SELLO_WITNESS_WITNESS_H_
#define SELLO_WITNESS_WITNESS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/domain/witness_protocol.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/cosignature.h"
#include "witness/witness_store.h"

namespace sello::witness {

// A log this witness cosigns: its origin and the verifier keys it trusts for it (more
// than one while the log rotates its key).
struct WitnessedLog {
  std::string origin;
  std::vector<domain::NoteVerifier> keys;
};

// Groups "log <vkey>" lines by origin (the key's name). INVALID_ARGUMENT naming a bad
// key or a key given twice.
absl::StatusOr<std::vector<WitnessedLog>> LogsFromVerifierKeys(
    const std::vector<std::string>& verifier_keys);

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class Witness {
 public:
  // Loads what `store` holds for each log. Logs the store knows but the configuration
  // no longer lists are kept on disk and ignored.
  static absl::StatusOr<std::unique_ptr<Witness>> Create(domain::CosignatureSigner signer,
                                                         std::vector<WitnessedLog> logs,
                                                         std::unique_ptr<WitnessStore> store,
                                                         std::function<absl::Time()> clock);

  // POST /add-checkpoint with `body`.
  HttpAnswer AddCheckpoint(absl::string_view body);
  // GET /evidence: every conflict kept, as proto3 JSON (tools.WitnessEvidenceList).
  HttpAnswer Evidence() const;
  // GET /: who this witness is and what it holds, for people.
  HttpAnswer Describe() const;
  // Prometheus text exposition of the witness's figures.
  std::string Metrics() const;

  const domain::CosignatureSigner& signer() const { return signer_; }

 private:
  // One witnessed log: its keys, and what it last cosigned (guarded by `mutex`, held
  // across the check and the save).
  struct LogState {
    WitnessedLog config;
    absl::Mutex mutex;
    std::optional<domain::WitnessedTree> held ABSL_GUARDED_BY(mutex);
    std::string held_note ABSL_GUARDED_BY(mutex);
    absl::Time last_cosigned ABSL_GUARDED_BY(mutex) = absl::InfinitePast();
    std::atomic<uint64_t> cosigned{0};
    std::atomic<uint64_t> refused_conflict{0};
    std::atomic<uint64_t> refused_inconsistent{0};
    std::atomic<uint64_t> refused_signature{0};
    std::atomic<uint64_t> evidence_dropped{0};
  };

  Witness(domain::CosignatureSigner signer, std::unique_ptr<WitnessStore> store,
          std::function<absl::Time()> clock)
      : signer_(std::move(signer)), store_(std::move(store)), clock_(std::move(clock)) {}

  // The steps of AddCheckpoint. A refusal (an answer) or nullopt to go on.
  // tlog-witness: no valid signature by a trusted key, or a trusted key's line that does
  // not verify, is 403.
  std::optional<HttpAnswer> CheckLogSignature(LogState& log, const domain::SignedNote& note,
                                              absl::string_view checkpoint_note);
  // The answer to a checkpoint JudgeAddCheckpoint refused (400, 409 or 422); nullopt
  // for one it would cosign.
  std::optional<HttpAnswer> Refuse(LogState& log, const domain::AddCheckpointRequest& request,
                                   const domain::AddCheckpointVerdict& verdict)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(log.mutex);
  // Saves a checkpoint that advances the log's tree before it is cosigned (503 when the
  // state cannot be written).
  std::optional<HttpAnswer> Advance(LogState& log, const domain::AddCheckpointRequest& request,
                                    const domain::CheckpointText& checkpoint)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(log.mutex);
  // The cosignature of `note_text`, now (200), or 500 when it cannot be made.
  HttpAnswer Cosign(LogState& log, absl::string_view note_text)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(log.mutex);

  // Keeps the conflict as evidence (best effort: a failure is logged, the answer stands).
  void KeepEvidence(LogState& log, const domain::AddCheckpointRequest& request,
                    const domain::AddCheckpointVerdict& verdict)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(log.mutex);

  domain::CosignatureSigner signer_;
  std::unique_ptr<WitnessStore> store_;
  std::function<absl::Time()> clock_;
  std::map<std::string, std::unique_ptr<LogState>> logs_;  // by origin; fixed after Create
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> unknown_origin_{0};
  std::atomic<uint64_t> persist_failures_{0};
  std::atomic<uint64_t> persist_count_{0};
  std::atomic<uint64_t> persist_micros_{0};
};

}  // namespace sello::witness

#endif  // SELLO_WITNESS_WITNESS_H_
