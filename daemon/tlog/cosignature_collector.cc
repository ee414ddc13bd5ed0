#include "daemon/tlog/cosignature_collector.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "client/witness_client.h"
#include "common/files.h"
#include "daemon/domain/time_convert.h"
#include "daemon/server/json_logger.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/cosignature.h"
#include "daemon/tlog/signed_note.h"

namespace sello::service {
namespace {

// Checkpoints whose cosignatures are still collected: a witness slower than this many
// signatures contributes to a later one instead.
constexpr size_t kRoundsKept = 8;
// 409 answers followed within one submission (each re-syncs the size the witness holds).
constexpr int kMaxAttempts = 3;

// A Prometheus label value: backslash, quote and newline escaped.
std::string LabelValue(absl::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The policy's lines as the parser numbers them, with their fields.
std::vector<std::pair<int, std::vector<absl::string_view>>> PolicyLines(absl::string_view text) {
  std::vector<std::pair<int, std::vector<absl::string_view>>> out;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.empty() || absl::StartsWith(fields[0], "#")) continue;
    out.emplace_back(number, std::move(fields));
  }
  return out;
}

}  // namespace

absl::StatusOr<domain::WitnessPolicy> LoadWitnessPolicy(const std::string& policy_file,
                                                        const std::string& policy_text,
                                                        const storage::TransparencyLog& log) {
  absl::StatusOr<domain::WitnessPolicy> policy = domain::WitnessPolicy::Parse(policy_text);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(policy_file, ": ", policy.status().message()));
  }
  const std::string ours = log.VerifierKey();
  const std::string next = log.NextVerifierKey();
  bool listed = false;
  for (const domain::WitnessPolicy::Log& entry : policy->logs()) {
    const std::string key = entry.verifier.VerifierKey();
    if (key == ours || (!next.empty() && key == next)) listed = true;
  }
  if (!listed) {
    // Name the line that should have been ours, if one names our origin.
    for (const auto& [number, fields] : PolicyLines(policy_text)) {
      if (fields[0] == "log" && fields.size() > 1 &&
          absl::StartsWith(fields[1], absl::StrCat(log.origin(), "+"))) {
        return absl::FailedPreconditionError(absl::StrCat(
            policy_file, ": line ", number, ": log key ", fields[1], " is not this registry's key ",
            ours, " (DATA_DIR/log.pub): witnesses would refuse its checkpoints"));
      }
    }
    return absl::FailedPreconditionError(absl::StrCat(
        policy_file, ": no `log` line for this registry: add `log ", ours,
        "` (DATA_DIR/log.pub), so that clients using the same policy accept its checkpoints"));
  }
  if (policy->witnesses().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(policy_file, ": lists no witnesses: nothing to collect cosignatures from"));
  }
  for (const domain::WitnessPolicy::Witness& witness : policy->witnesses()) {
    if (!witness.url.empty()) continue;
    int line = 0;
    for (const auto& [number, fields] : PolicyLines(policy_text)) {
      if (fields[0] == "witness" && fields.size() > 1 && fields[1] == witness.name) line = number;
    }
    return absl::FailedPreconditionError(
        absl::StrCat(policy_file, ": line ", line, ": witness ", witness.name,
                     " has no URL: sellod submits checkpoints to <URL>/add-checkpoint (`witness ",
                     witness.name, " ", witness.verifier.VerifierKey(), " https://...`)"));
  }
  return policy;
}

absl::StatusOr<std::unique_ptr<CosignatureCollector>> CosignatureCollector::Start(
    storage::TransparencyLog* log, CosignatureCollectorOptions options) {
  absl::StatusOr<domain::WitnessPolicy> policy =
      LoadWitnessPolicy(options.policy_file, options.policy_text, *log);
  if (!policy.ok()) return policy.status();
  std::unique_ptr<CosignatureCollector> collector(
      new CosignatureCollector(log, std::move(options), *std::move(policy)));
  log->RequireCosignatures();
  collector->LoadCosigned();
  collector->coordinator_ = std::thread([c = collector.get()] { c->RunCoordinator(); });
  for (size_t i = 0; i < collector->policy_.witnesses().size(); ++i) {
    collector->workers_.emplace_back([c = collector.get(), i] { c->RunWitness(i); });
  }
  return collector;
}

CosignatureCollector::CosignatureCollector(storage::TransparencyLog* log,
                                           CosignatureCollectorOptions options,
                                           domain::WitnessPolicy policy)
    : log_(log), options_(std::move(options)), policy_(std::move(policy)) {
  absl::MutexLock lock(&mu_);
  witnesses_.resize(policy_.witnesses().size());
}

CosignatureCollector::~CosignatureCollector() { Stop(); }

void CosignatureCollector::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (coordinator_.joinable()) coordinator_.join();
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

void CosignatureCollector::LoadCosigned() {
  if (options_.cosigned_file.empty()) return;
  absl::StatusOr<std::optional<std::string>> kept =
      storage::ReadFileIfExists(options_.cosigned_file);
  if (!kept.ok() || !kept->has_value()) return;
  const std::string& note = **kept;
  // It must still be this log's, consistent with the tree, and meet today's quorum.
  absl::Status refused;
  absl::StatusOr<domain::NoteVerifier> verifier =
      domain::NoteVerifier::FromVerifierKey(log_->VerifierKey());
  absl::StatusOr<domain::Checkpoint> checkpoint =
      verifier.ok() ? domain::OpenCheckpoint(*verifier, note, log_->origin())
                    : absl::StatusOr<domain::Checkpoint>(verifier.status());
  if (!checkpoint.ok()) {
    refused = checkpoint.status();
  } else if (checkpoint->size > log_->Latest().size()) {
    refused = absl::FailedPreconditionError("it is larger than the last signed checkpoint");
  } else if (absl::StatusOr<std::string> root = log_->RootHash(checkpoint->size);
             !root.ok() || *root != checkpoint->root_hash) {
    refused = absl::FailedPreconditionError("its root is not the tree's at its size");
  } else if (absl::StatusOr<domain::QuorumResult> quorum = policy_.Evaluate(note);
             !quorum.ok() || !quorum->met) {
    refused = absl::FailedPreconditionError(quorum.ok() ? quorum->Describe()
                                                        : quorum.status().ToString());
  }
  if (!refused.ok()) {
    LogWarning("cosigned_checkpoint_not_served",
               {{"path", options_.cosigned_file}, {"message", refused.ToString()}});
    return;
  }
  log_->Publish(storage::CheckpointToProto(*checkpoint, note));
  absl::MutexLock lock(&mu_);
  published_size_ = checkpoint->size;
  published_time_ = checkpoint->time;
  // Treated as the round already done: the coordinator starts from the next signature.
  target_ = storage::CheckpointToProto(*checkpoint, note);
  target_met_ = true;
  LogInfo("cosigned_checkpoint_loaded",
          {{"path", options_.cosigned_file}, {"size", absl::StrCat(checkpoint->size)}});
}

bool CosignatureCollector::RoundSettled() const {
  if (target_met_) return true;
  for (const WitnessState& witness : witnesses_) {
    if (witness.in_flight_size == target_.size() && target_.size() != 0) return false;
  }
  return true;
}

void CosignatureCollector::RunCoordinator() {
  for (;;) {
    uint64_t current;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      current = target_.size();
    }
    const v1::Checkpoint signed_checkpoint =
        log_->AwaitSignedAfter(current, absl::Milliseconds(250));
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    if (signed_checkpoint.size() <= target_.size()) continue;
    // A new round once the quorum met this one or every witness answered it.
    const auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || RoundSettled();
    };
    mu_.Await(absl::Condition(&settled));
    if (stopping_) return;
    v1::Checkpoint newest = log_->Latest();
    absl::StatusOr<domain::SignedNote> parsed = domain::ParseSignedNote(newest.note());
    if (!parsed.ok()) {
      LogError("cosigning_failed", {{"message", parsed.status().ToString()}});
      continue;
    }
    target_ = newest;
    target_text_ = parsed->text;
    target_met_ = false;
    rounds_[newest.size()] = Round{newest, parsed->text, {}};
    while (rounds_.size() > kRoundsKept) rounds_.erase(rounds_.begin());
  }
}

void CosignatureCollector::RunWitness(size_t index) {
  for (;;) {
    v1::Checkpoint checkpoint;
    std::string text;
    {
      absl::MutexLock lock(&mu_);
      for (;;) {
        if (stopping_) return;
        WitnessState& state = witnesses_[index];
        const bool due =
            target_.size() > state.cosigned_size && target_.size() != 0 && !target_text_.empty();
        if (due && absl::Now() >= state.next_attempt) break;
        const uint64_t seen = target_.size();
        const auto changed = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || target_.size() != seen;
        };
        mu_.AwaitWithDeadline(absl::Condition(&changed),
                              due ? state.next_attempt : absl::InfiniteFuture());
      }
      checkpoint = target_;
      text = target_text_;
      witnesses_[index].in_flight_size = checkpoint.size();
    }
    const absl::Time start = absl::Now();
    const absl::StatusOr<std::string> line = Submit(index, checkpoint, text);
    RecordOutcome(index, checkpoint.size(), line, absl::Now() - start);
  }
}

absl::StatusOr<std::string> CosignatureCollector::Submit(size_t index,
                                                         const v1::Checkpoint& checkpoint,
                                                         const std::string& text) {
  const domain::WitnessPolicy::Witness& witness = policy_.witnesses()[index];
  uint64_t old_size;
  {
    absl::MutexLock lock(&mu_);
    old_size = witnesses_[index].known_size;
  }
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (old_size > checkpoint.size()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the witness holds a checkpoint of size ", old_size, ", larger than this log's ",
          checkpoint.size(), ": it saw another history of this log, or this log lost events"));
    }
    domain::AddCheckpointRequest request;
    request.old_size = old_size;
    request.checkpoint = checkpoint.note();
    if (old_size != 0 && old_size != checkpoint.size()) {
      absl::StatusOr<std::vector<std::string>> proof =
          log_->ConsistencyProof(old_size, checkpoint.size());
      if (!proof.ok()) return proof.status();
      request.proof = *std::move(proof);
    }
    absl::StatusOr<client::AddCheckpointAnswer> answer =
        client::AddCheckpoint(options_.http, witness.url, request);
    if (!answer.ok()) return answer.status();
    if (answer->status == 409 && answer->witness_size.has_value()) {
      old_size = *answer->witness_size;
      absl::MutexLock lock(&mu_);
      witnesses_[index].known_size = old_size;
      continue;
    }
    if (answer->status != 200) {
      return absl::FailedPreconditionError(
          absl::StrCat("HTTP ", answer->status, ": ", answer->message));
    }
    absl::StatusOr<std::vector<domain::NoteSignature>> lines =
        domain::ParseSignatureLines(answer->cosignatures);
    if (!lines.ok()) return lines.status();
    for (const domain::NoteSignature& signature : *lines) {
      if (!witness.verifier.Matches(signature)) continue;
      absl::StatusOr<absl::Time> time = witness.verifier.Verify(text, signature.signature);
      if (!time.ok()) return time.status();
      absl::MutexLock lock(&mu_);
      witnesses_[index].known_size = checkpoint.size();
      return domain::FormatSignatureLine(signature);
    }
    return absl::FailedPreconditionError(absl::StrCat("the answer carries no cosignature by ",
                                                      witness.verifier.Label(),
                                                      " (the policy's key for this witness)"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("the size the witness holds kept changing (", kMaxAttempts, " answers 409)"));
}

void CosignatureCollector::RecordOutcome(size_t index, uint64_t size,
                                         const absl::StatusOr<std::string>& line,
                                         absl::Duration latency) {
  std::optional<std::string> to_persist;
  {
    absl::MutexLock lock(&mu_);
    WitnessState& state = witnesses_[index];
    state.in_flight_size = 0;
    ++state.requests;
    state.last_latency = latency;
    const absl::Time now = absl::Now();
    if (line.ok()) {
      to_persist = RecordSuccess(index, size, *line, now);
    } else {
      RecordFailure(index, size, line.status(), now);
    }
  }
  if (to_persist.has_value()) PersistCosigned(*to_persist);
}

std::optional<std::string> CosignatureCollector::RecordSuccess(size_t index, uint64_t size,
                                                               const std::string& line,
                                                               absl::Time now) {
  WitnessState& state = witnesses_[index];
  state.last_success = now;
  state.cosigned_size = std::max(state.cosigned_size, size);
  state.backoff = absl::ZeroDuration();
  state.next_attempt = absl::InfinitePast();
  if (state.consecutive_failures > 0) {
    LogInfo("witness_recovered", {{"witness", policy_.witnesses()[index].name},
                                  {"failures", absl::StrCat(state.consecutive_failures)}});
  }
  state.consecutive_failures = 0;
  state.failures_unlogged = 0;
  auto round = rounds_.find(size);
  if (round == rounds_.end()) return std::nullopt;
  round->second.lines[index] = line;
  return PublishIfQuorum(size, round->second);
}

std::optional<std::string> CosignatureCollector::PublishIfQuorum(uint64_t size,
                                                                 const Round& round) {
  // Evaluate: merge the round's lines and see whether they meet the quorum.
  std::string note = round.checkpoint.note();
  for (const auto& [witness, cosignature] : round.lines) {
    absl::StatusOr<std::string> with = domain::MergeSignatureLines(note, cosignature);
    if (!with.ok()) return std::nullopt;
    note = *std::move(with);
  }
  absl::StatusOr<domain::QuorumResult> quorum = policy_.Evaluate(note);
  if (!quorum.ok() || !quorum->met) return std::nullopt;
  if (size < published_size_ ||
      (size == published_size_ && round.lines.size() <= published_cosignatures_)) {
    return std::nullopt;
  }
  v1::Checkpoint cosigned = round.checkpoint;
  cosigned.set_note(note);
  log_->Publish(cosigned);
  published_size_ = size;
  published_cosignatures_ = round.lines.size();
  published_time_ = domain::FromProto(cosigned.time());
  if (size == target_.size()) target_met_ = true;
  return note;
}

void CosignatureCollector::RecordFailure(size_t index, uint64_t size, const absl::Status& status,
                                         absl::Time now) {
  WitnessState& state = witnesses_[index];
  ++state.failures;
  ++state.consecutive_failures;
  ++state.failures_unlogged;
  state.backoff = state.backoff == absl::ZeroDuration()
                      ? options_.min_backoff
                      : std::min(options_.max_backoff, state.backoff * 2);
  state.next_attempt = now + state.backoff;
  // Logged when it starts failing, then at most once per interval: not per checkpoint.
  if (state.consecutive_failures == 1 ||
      now - state.last_failure_log >= options_.failure_log_interval) {
    LogWarning("witness_failed",
               {{"witness", policy_.witnesses()[index].name},
                {"url", policy_.witnesses()[index].url},
                {"checkpoint_size", absl::StrCat(size)},
                {"failures_since_last_report", absl::StrCat(state.failures_unlogged)},
                {"message", status.ToString()}});
    state.last_failure_log = now;
    state.failures_unlogged = 0;
  }
}

void CosignatureCollector::PersistCosigned(const std::string& note) {
  if (options_.cosigned_file.empty()) return;
  absl::MutexLock lock(&file_mu_);
  if (absl::Status status = storage::WriteFileAtomically(options_.cosigned_file, note, 0644);
      !status.ok()) {
    LogError("cosigned_checkpoint_write_failed", {{"message", status.ToString()}});
  }
}

std::string CosignatureCollector::RenderMetrics() const {
  const uint64_t signed_size = log_->Latest().size();
  absl::MutexLock lock(&mu_);
  std::string out;
  const auto family = [&out](absl::string_view name, absl::string_view type,
                             absl::string_view help) {
    absl::StrAppend(&out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  };
  const auto each = [&](absl::string_view name,
                        const auto& value) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (size_t i = 0; i < witnesses_.size(); ++i) {
      absl::StrAppend(&out, name, "{witness=\"", LabelValue(policy_.witnesses()[i].name), "\"} ",
                      absl::StrFormat("%.15g", static_cast<double>(value(witnesses_[i]))), "\n");
    }
  };
  family("sello_witness_requests_total", "counter",
         "Checkpoints submitted to each witness (add-checkpoint, 409 re-syncs included).");
  each("sello_witness_requests_total", [](const WitnessState& s) { return s.requests; });
  family("sello_witness_failures_total", "counter",
         "Submissions to each witness that brought no valid cosignature.");
  each("sello_witness_failures_total", [](const WitnessState& s) { return s.failures; });
  family("sello_witness_last_success_timestamp_seconds", "gauge",
         "When each witness last cosigned a checkpoint (Unix seconds; 0: never since start).");
  each("sello_witness_last_success_timestamp_seconds", [](const WitnessState& s) {
    return absl::ToDoubleSeconds(s.last_success - absl::UnixEpoch());
  });
  family("sello_witness_request_seconds", "gauge", "How long each witness's last submission took.");
  each("sello_witness_request_seconds",
       [](const WitnessState& s) { return absl::ToDoubleSeconds(s.last_latency); });
  family("sello_witness_cosigned_size", "gauge",
         "Tree size of the last checkpoint each witness cosigned for this log.");
  each("sello_witness_cosigned_size", [](const WitnessState& s) { return s.cosigned_size; });
  family("sello_witness_lag_events", "gauge",
         "Signed events each witness has not cosigned yet (a late or failing witness grows).");
  each("sello_witness_lag_events", [signed_size](const WitnessState& s) {
    return signed_size > s.cosigned_size ? signed_size - s.cosigned_size : 0;
  });
  family("sello_cosigned_checkpoint_size", "gauge",
         "Tree size of the newest checkpoint that met the witness quorum (the one served).");
  absl::StrAppend(&out, "sello_cosigned_checkpoint_size ", published_size_, "\n");
  family("sello_cosigned_checkpoint_timestamp_seconds", "gauge",
         "Time of the newest checkpoint that met the witness quorum (Unix seconds).");
  absl::StrAppend(
      &out, "sello_cosigned_checkpoint_timestamp_seconds ",
      absl::StrFormat("%.15g", absl::ToDoubleSeconds(published_time_ - absl::UnixEpoch())), "\n");
  family("sello_uncosigned_events", "gauge",
         "Signed events no checkpoint served (cosigned by the quorum) covers yet.");
  absl::StrAppend(&out, "sello_uncosigned_events ",
                  signed_size > published_size_ ? signed_size - published_size_ : 0, "\n");
  return out;
}

}  // namespace sello::service
