// sellod's side of the witnesses (sellod --witness-policy, issue 20 §2): each checkpoint
// the log signs is submitted to every witness of a C2SP tlog-policy in parallel (C2SP
// tlog-witness add-checkpoint, with the consistency proof from the size that witness last
// cosigned, learnt again from its 409 answer), the cosignatures that verify are merged
// into the note, and a checkpoint is published (TransparencyLog::Publish, served by
// GetCheckpoint and /checkpoint) once they meet the policy's quorum. One that has not is
// never served: the newest cosigned one stays the latest (fail closed).
//
// The signer never waits for a witness: one thread per witness, each request bounded by
// a timeout, a failing witness retried with a growing pause, and a round of submissions
// ended as soon as the quorum is met (a slow witness catches up with a later checkpoint).
#ifndef SELLO_DAEMON_TLOG_COSIGNATURE_COLLECTOR_H_
#define SELLO_DAEMON_TLOG_COSIGNATURE_COLLECTOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/http_client.h"
#include "daemon/domain/witness_policy.h"
#include "daemon/tlog/transparency_log.h"
#include "sello/v1/log.pb.h"

namespace sello::service {

struct CosignatureCollectorOptions {
  // The policy file (tlog-policy) and its path, for messages.
  std::string policy_text;
  std::string policy_file;
  // Where the newest cosigned checkpoint is kept across restarts ("" for nowhere): it is
  // served again at start if it still verifies and meets the quorum.
  std::string cosigned_file;
  // Each request to a witness (its CA file for https:// witnesses with a private CA).
  client::HttpClientOptions http{
      .ca_file = "", .timeout = absl::Seconds(5), .max_response_bytes = 64 << 10};
  // A witness that fails is tried again after min_backoff, doubling up to max_backoff.
  absl::Duration min_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  // A witness failing on and on is logged at most this often.
  absl::Duration failure_log_interval = absl::Minutes(1);
};

// Reads and checks a policy for `log`: it parses (INVALID_ARGUMENT "FILE: line N: ..."),
// its `log` lines include this log's verifier key (or, during a key rotation, the next
// one), and every witness has a URL to submit to; FAILED_PRECONDITION naming the file and
// line otherwise.
absl::StatusOr<domain::WitnessPolicy> LoadWitnessPolicy(const std::string& policy_file,
                                                        const std::string& policy_text,
                                                        const storage::TransparencyLog& log);

class CosignatureCollector {
 public:
  // Checks the policy (LoadWitnessPolicy), makes `log` serve cosigned checkpoints only,
  // publishes the kept cosigned checkpoint if it still holds, and starts collecting.
  static absl::StatusOr<std::unique_ptr<CosignatureCollector>> Start(
      storage::TransparencyLog* log, CosignatureCollectorOptions options);
  ~CosignatureCollector();
  CosignatureCollector(const CosignatureCollector&) = delete;
  CosignatureCollector& operator=(const CosignatureCollector&) = delete;

  // Ends the threads (a request in flight ends by its timeout at worst).
  void Stop();

  // Prometheus text: per witness (label `witness`, its name in the policy) requests and
  // failures, the last success's time, the last request's latency, the size it last
  // cosigned and how many signed events it lags behind; the newest cosigned checkpoint's
  // size and time.
  std::string RenderMetrics() const;

  const domain::WitnessPolicy& policy() const { return policy_; }

 private:
  struct WitnessState {
    // The size the witness holds, as far as we know (its 409 answers correct it).
    uint64_t known_size = 0;
    uint64_t cosigned_size = 0;   // of the last checkpoint it cosigned for us
    uint64_t in_flight_size = 0;  // the checkpoint being submitted (0: none)
    absl::Time next_attempt = absl::InfinitePast();
    absl::Duration backoff = absl::ZeroDuration();
    // Metrics.
    uint64_t requests = 0;
    uint64_t failures = 0;
    absl::Time last_success = absl::UnixEpoch();
    absl::Duration last_latency = absl::ZeroDuration();
    // Rate-limited logging of failures.
    uint64_t consecutive_failures = 0;
    uint64_t failures_unlogged = 0;
    absl::Time last_failure_log = absl::InfinitePast();
  };
  // A checkpoint being cosigned and the verified cosignature lines it collected.
  struct Round {
    v1::Checkpoint checkpoint;
    std::string text;                     // its note's checkpoint text
    std::map<size_t, std::string> lines;  // by witness index
  };

  CosignatureCollector(storage::TransparencyLog* log, CosignatureCollectorOptions options,
                       domain::WitnessPolicy policy);

  void RunCoordinator();
  void RunWitness(size_t index);
  // One checkpoint to one witness (a few requests at most: 409s re-sync the size). The
  // verified cosignature line, or why not.
  absl::StatusOr<std::string> Submit(size_t index, const v1::Checkpoint& checkpoint,
                                     const std::string& text);
  // Updates the witness's state and metrics; merges a cosignature into its round and
  // publishes the round when its lines meet the quorum.
  void RecordOutcome(size_t index, uint64_t size, const absl::StatusOr<std::string>& line,
                     absl::Duration latency);
  // RecordOutcome's halves, under mu_. A success merges the line into its round and
  // returns the note to persist when the round was published (PublishIfQuorum).
  std::optional<std::string> RecordSuccess(size_t index, uint64_t size, const std::string& line,
                                           absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<std::string> PublishIfQuorum(uint64_t size, const Round& round)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A failure backs the witness off and is logged (rate-limited).
  void RecordFailure(size_t index, uint64_t size, const absl::Status& status, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes the published cosigned note to options_.cosigned_file (errors logged).
  void PersistCosigned(const std::string& note);
  // Publishes the kept cosigned checkpoint if it still verifies and meets the quorum.
  void LoadCosigned();
  bool RoundSettled() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  storage::TransparencyLog* const log_;
  const CosignatureCollectorOptions options_;
  const domain::WitnessPolicy policy_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  v1::Checkpoint target_ ABSL_GUARDED_BY(mu_);
  std::string target_text_ ABSL_GUARDED_BY(mu_);
  bool target_met_ ABSL_GUARDED_BY(mu_) = false;
  std::map<uint64_t, Round> rounds_ ABSL_GUARDED_BY(mu_);  // the last few, by size
  std::vector<WitnessState> witnesses_ ABSL_GUARDED_BY(mu_);
  uint64_t published_size_ ABSL_GUARDED_BY(mu_) = 0;
  size_t published_cosignatures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time published_time_ ABSL_GUARDED_BY(mu_) = absl::UnixEpoch();

  // Serialises writes of options_.cosigned_file.
  absl::Mutex file_mu_;

  std::thread coordinator_;
  std::vector<std::thread> workers_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_TLOG_COSIGNATURE_COLLECTOR_H_
