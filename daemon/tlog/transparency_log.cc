#include "daemon/tlog/transparency_log.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/time_convert.h"
#include "daemon/tlog/merkle.h"
#include "storage/records.h"
#include "storage/tree_store.h"

namespace sello::storage {
namespace {

constexpr absl::string_view kCheckpointKey = "checkpoint";
// The state file (absolute path) the log last signed to.
constexpr absl::string_view kStateFileKey = "checkpoint_state_file";
// What the state file is, in the refusals that name it.
constexpr absl::string_view kWhatStateFileIs =
    "the last signed checkpoint kept outside the data dir, so that a data dir that was "
    "copied, or restored from an older backup, cannot sign a second history";
// How often the signer looks again when nothing was committed (it wakes at once on a
// commit); also bounds how long Stop() waits.
constexpr absl::Duration kMinSignInterval = absl::Milliseconds(250);
constexpr absl::Duration kSignerPoll = absl::Milliseconds(500);

}  // namespace

v1::Checkpoint CheckpointToProto(const domain::Checkpoint& checkpoint, std::string note) {
  v1::Checkpoint out;
  out.set_origin(checkpoint.origin);
  out.set_size(checkpoint.size);
  out.set_root_hash(checkpoint.root_hash);
  *out.mutable_time() = domain::ToProto(checkpoint.time);
  out.set_note(std::move(note));
  return out;
}

absl::StatusOr<domain::NoteVerifier> VerifierOf(const domain::NoteSigner& signer) {
  return domain::NoteVerifier::FromVerifierKey(signer.VerifierKey());
}

TransparencyLog::TransparencyLog(Store* store, Ledger* ledger, domain::NoteSigner signer,
                                 Clock* clock, TransparencyLogOptions options)
    : store_(store),
      ledger_(ledger),
      clock_(clock),
      options_(std::move(options)),
      origin_(signer.name()),
      signer_(std::move(signer)) {}

TransparencyLog::~TransparencyLog() { Stop(); }

absl::StatusOr<bool> TransparencyLog::HasSignedCheckpoint(const Store& store,
                                                          const std::string& checkpoint_file) {
  // The store's checkpoint, or its note of the state file it signed to (written only
  // after a signature): either says this log has signed before.
  for (absl::string_view key : {kCheckpointKey, kStateFileKey}) {
    absl::StatusOr<std::optional<std::string>> stored = store.Get(Table::kMeta, key);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) return true;
  }
  if (checkpoint_file.empty()) return false;
  absl::StatusOr<std::optional<std::string>> file = ReadFileIfExists(checkpoint_file);
  if (!file.ok()) return file.status();
  return file->has_value();
}

absl::StatusOr<std::unique_ptr<TransparencyLog>> TransparencyLog::Open(
    Store* store, Ledger* ledger, domain::NoteSigner signer, Clock* clock,
    TransparencyLogOptions options) {
  std::unique_ptr<TransparencyLog> log(
      new TransparencyLog(store, ledger, std::move(signer), clock, std::move(options)));
  absl::StatusOr<domain::NoteVerifier> verifier =
      domain::NoteVerifier::FromVerifierKey(log->VerifierKey());
  if (!verifier.ok()) return verifier.status();

  absl::StatusOr<bool> holds_history = HasSignedCheckpoint(*store, log->options_.checkpoint_file);
  if (!holds_history.ok()) return holds_history.status();
  std::string extra;
  if (absl::Status status = log->CheckStateFile(*holds_history, &extra); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::vector<Kept>> kept = log->LoadKept(*verifier, extra);
  if (!kept.ok()) return kept.status();
  std::optional<v1::Checkpoint> last;
  if (absl::Status status = log->ChooseLastCheckpoint(*kept, &last); !status.ok()) {
    return status;
  }
  if (absl::Status status = log->SignFrom(last); !status.ok()) return status;
  if (absl::Status status = log->RememberStateFile(); !status.ok()) return status;
  return log;
}

absl::Status TransparencyLog::ChooseLastCheckpoint(const std::vector<Kept>& kept,
                                                   std::optional<v1::Checkpoint>* last) {
  const uint64_t size = ledger_->last_seq();
  std::optional<v1::Checkpoint> abandoned;
  absl::Status refusal;
  for (const Kept& each : kept) {
    if (absl::Status extends = CheckExtends(each.checkpoint, size); !extends.ok()) {
      if (refusal.ok()) {
        refusal = absl::Status(
            extends.code(), absl::StrCat(extends.message(), " (checkpoint ", each.checkpoint.size(),
                                         " kept in ", each.source, ")"));
      }
      if (!abandoned.has_value() || each.checkpoint.size() > abandoned->size()) {
        abandoned = each.checkpoint;
      }
    } else if (!last->has_value() || each.checkpoint.size() > (*last)->size()) {
      *last = each.checkpoint;
    }
  }
  if (refusal.ok()) return absl::OkStatus();
  if (!options_.accept_rollback) return refusal;
  // The operator continues from this tree knowingly: say so in the log itself, with
  // the checkpoint it abandons, before signing anew.
  absl::Status recorded = ledger_->Apply(domain::Principal(), [&](Transaction& tx) {
    tx.Record("log.history_rollback_accepted", absl::StrCat("checkpoint/", abandoned->size()),
              *abandoned);
    return absl::OkStatus();
  });
  if (!recorded.ok()) return recorded;
  rollback_accepted_from_ = abandoned->size();
  last->reset();
  return absl::OkStatus();
}

absl::Status TransparencyLog::SignFrom(const std::optional<v1::Checkpoint>& last) {
  {
    absl::MutexLock lock(&mu_);
    if (last.has_value()) latest_ = *last;
    // Only now may it sign: an Open that failed above must not sign on destruction
    // (it would not know the last checkpoint and could sign a second history).
    loaded_ = true;
  }
  if (!last.has_value()) {
    // A new log must be able to sign its first checkpoint.
    return SignNow();
  }
  if (last->size() < ledger_->last_seq()) {
    // A refusal is kept in signing_status() and reported by the signer.
    (void)SignNow();
  }
  return absl::OkStatus();
}

absl::Status TransparencyLog::RememberStateFile() {
  if (state_file_.empty()) return absl::OkStatus();
  // The state file holds the newest checkpoint from now on (a signature above wrote
  // it already), and the store remembers which file that is.
  const v1::Checkpoint latest = Latest();
  absl::StatusOr<std::optional<std::string>> file = ReadFileIfExists(state_file_);
  if (!file.ok()) return file.status();
  if (!file->has_value() || **file != latest.note()) {
    if (absl::Status status = WriteFileAtomically(state_file_, latest.note(), 0600); !status.ok()) {
      return status;
    }
  }
  absl::StatusOr<std::optional<std::string>> recorded = store_->Get(Table::kMeta, kStateFileKey);
  if (!recorded.ok()) return recorded.status();
  if (!recorded->has_value() || **recorded != state_file_) {
    WriteSet writes;
    writes.Put(Table::kMeta, std::string(kStateFileKey), state_file_);
    if (absl::Status status = store_->Write(writes); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status TransparencyLog::CheckStateFile(bool holds_history, std::string* extra) {
  if (options_.checkpoint_state_file.empty()) return absl::OkStatus();
  std::error_code error;
  state_file_ =
      std::filesystem::absolute(options_.checkpoint_state_file, error).lexically_normal().string();
  if (error) state_file_ = options_.checkpoint_state_file;
  absl::StatusOr<std::optional<std::string>> recorded_value =
      store_->Get(Table::kMeta, kStateFileKey);
  if (!recorded_value.ok()) return recorded_value.status();
  const std::string recorded = recorded_value->value_or("");
  const bool exists = std::filesystem::exists(state_file_, error);
  const bool elsewhere = !recorded.empty() && recorded != state_file_;
  const bool elsewhere_exists = elsewhere && std::filesystem::exists(recorded, error);
  if (elsewhere_exists) *extra = recorded;
  if (exists) {
    state_file_report_ =
        elsewhere ? absl::StrCat("found; this data dir last signed to ", recorded) : "found";
    return absl::OkStatus();
  }
  if (!holds_history) {
    state_file_report_ = "created (a new log)";
    return absl::OkStatus();
  }
  if (recorded.empty()) {
    state_file_report_ =
        "created (the first start that keeps the last signed checkpoint outside the data dir)";
    return absl::OkStatus();
  }
  if (elsewhere && options_.restoring) return CheckRestoredStateFile(recorded, elsewhere_exists);
  return CheckMissingStateFile(recorded, elsewhere, elsewhere_exists);
}

absl::Status TransparencyLog::CheckRestoredStateFile(const std::string& recorded,
                                                     bool recorded_exists) {
  if (recorded_exists) {
    state_file_report_ = absl::StrCat("created; the restored log was checked against ", recorded,
                                      ", the file its registry last signed to");
    return absl::OkStatus();
  }
  if (options_.accept_rollback) {
    state_file_report_ = absl::StrCat("created; NOT checked against ", recorded,
                                      " (missing), as --accept-history-rollback allows");
    return RecordStateRecreated(recorded);
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot check this restore: the registry it comes from kept ", kWhatStateFileIs, " in ",
      recorded, ", which is not here. Copy that file to ", state_file_,
      " (or point --checkpoint-state at a copy of it) and run the restore again, so that an "
      "older backup is caught; if that file is lost for good, run the restore again with "
      "--accept-history-rollback (recorded in the log; auditors who saw newer checkpoints "
      "will see a fork)"));
}

absl::Status TransparencyLog::CheckMissingStateFile(const std::string& recorded, bool elsewhere,
                                                    bool elsewhere_exists) {
  if (elsewhere && elsewhere_exists) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this data dir last signed its checkpoints to ", recorded, ", not to ", state_file_,
        " (missing): it was moved or copied. If you moved it, move ", recorded, " to ", state_file_,
        " too (or start with --checkpoint-state ", recorded,
        "). If it is a copy of a registry that still runs, do not start it: two registries "
        "would sign two histories under one key. If that registry is retired for good, move ",
        recorded, " to ", state_file_, " and start again"));
  }
  if (elsewhere && !options_.accept_rollback) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this data dir last signed its checkpoints to ", recorded, ", and neither that file nor ",
        state_file_, " exists: it was moved or copied without ", kWhatStateFileIs,
        ". Copy that file to ", state_file_,
        " and start again; if it is lost for good and this data dir is the registry's newest "
        "history, start once with --accept-history-rollback (recorded in the log)"));
  }
  if (!elsewhere && !options_.accept_rollback) {
    return absl::FailedPreconditionError(absl::StrCat(
        state_file_, " is missing: it kept ", kWhatStateFileIs,
        ", and this data dir last signed to it. If it was moved or lost, put it back (from the "
        "volume it lives on, or a copy); if it is gone for good and this data dir is the "
        "registry's newest history, start once with --accept-history-rollback (recorded in "
        "the log)"));
  }
  state_file_report_ =
      absl::StrCat("created anew; ", recorded, " was missing, as --accept-history-rollback allows");
  return RecordStateRecreated(recorded);
}

absl::Status TransparencyLog::RecordStateRecreated(const std::string& missing) {
  absl::StatusOr<std::optional<v1::Checkpoint>> stored =
      LoadRecord<v1::Checkpoint>(*store_, Table::kMeta, kCheckpointKey);
  if (!stored.ok()) return stored.status();
  v1::Checkpoint record = stored->value_or(v1::Checkpoint());
  return ledger_->Apply(domain::Principal(), [&](Transaction& tx) {
    tx.Record("log.checkpoint_state_recreated", absl::StrCat("checkpoint/", record.size()), record);
    (void)missing;
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<TransparencyLog::Kept>> TransparencyLog::LoadKept(
    const domain::NoteVerifier& verifier, const std::string& extra) const {
  std::vector<Kept> kept;
  absl::StatusOr<std::optional<v1::Checkpoint>> stored =
      LoadRecord<v1::Checkpoint>(*store_, Table::kMeta, kCheckpointKey);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) kept.push_back({"the store", **stored});
  const std::string state = state_file_.empty() ? options_.checkpoint_state_file : state_file_;
  for (const std::string* path : {&options_.checkpoint_file, &state, &extra}) {
    if (path->empty()) continue;
    absl::StatusOr<std::optional<std::string>> file = ReadFileIfExists(*path);
    if (!file.ok()) return file.status();
    if (!file->has_value()) continue;
    absl::StatusOr<domain::Checkpoint> parsed = domain::OpenCheckpoint(verifier, **file, origin_);
    if (!parsed.ok()) {
      return absl::DataLossError(absl::StrCat(
          *path, ": not a checkpoint signed by this log's key ", verifier.VerifierKey(), " (",
          parsed.status().message(),
          "): it belongs to another log, or was changed. If a registry with another key ran "
          "here before, this one would sign a second history under that name: move the file "
          "away only if you mean to retire that registry"));
    }
    kept.push_back({*path, CheckpointToProto(*parsed, **file)});
  }
  return kept;
}

absl::Status TransparencyLog::CheckLeaves(uint64_t from, uint64_t to) const {
  for (uint64_t seq = from + 1; seq <= to; ++seq) {
    absl::StatusOr<std::optional<std::string>> leaf = LoadEventData(*store_, seq);
    if (!leaf.ok()) return leaf.status();
    absl::StatusOr<std::optional<std::string>> node =
        store_->Get(Table::kTreeNodes, TreeNodeKey({0, seq - 1}));
    if (!node.ok()) return node.status();
    if (!leaf->has_value() || !node->has_value() || domain::merkle::LeafHash(**leaf) != **node) {
      return absl::DataLossError(absl::StrCat("event ", seq,
                                              " does not hash to its leaf in the tree: "
                                              "refusing to sign a corrupted log"));
    }
    if (absl::Status record = CheckRecord(seq, **leaf); !record.ok()) return record;
  }
  return absl::OkStatus();
}

absl::Status TransparencyLog::CheckRecord(uint64_t seq, const std::string& leaf) const {
  v1::Event event;
  if (!event.ParseFromString(leaf)) {
    return absl::DataLossError(
        absl::StrCat("event ", seq, " does not parse: refusing to sign a corrupted log"));
  }
  // Events name one record (Transaction::Record): the one record_sha256 digests.
  if (event.record_sha256().empty() || event.subjects_size() != 1) return absl::OkStatus();
  const std::string& subject = event.subjects(0);
  const auto load = [&]() { return LoadLoggedRecord(*store_, subject); };
  const auto matches = [&](const std::optional<LoggedRecord>& record) {
    return record.has_value() && domain::Sha256(record->bytes) == event.record_sha256();
  };
  absl::StatusOr<std::optional<LoggedRecord>> record = load();
  // Kinds whose records are not kept apart (seal status changes, the log's own events).
  if (record.status().code() == absl::StatusCode::kInvalidArgument) return absl::OkStatus();
  if (!record.ok()) return record.status();
  // The common case: the stored record is the one this event digests.
  if (matches(*record)) return absl::OkStatus();
  // Otherwise only the record's current version can be checked: a later event may have
  // replaced it (and is checked in its turn). The index is read before and after the
  // record: if no later event had committed by then, the record read is the one this
  // event wrote (records and their index entries are written in one batch).
  const auto latest = [&]() -> absl::StatusOr<bool> {
    absl::StatusOr<uint64_t> found = LatestEventFor(*store_, subject);
    if (!found.ok()) return found.status();
    return *found == seq;
  };
  absl::StatusOr<bool> current = latest();
  if (!current.ok() || !*current) return current.status();
  record = load();
  if (!record.ok()) return record.status();
  current = latest();
  if (!current.ok() || !*current) return current.status();
  if (!matches(*record)) {
    return absl::DataLossError(
        absl::StrCat("the stored record of ", subject,
                     (record->has_value() ? " does not hash to" : " is missing, unlike"),
                     " the record_sha256 of event ", seq, ": refusing to sign a corrupted log"));
  }
  return absl::OkStatus();
}

absl::Status TransparencyLog::CheckExtends(const v1::Checkpoint& last, uint64_t size) const {
  if (last.size() > size) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the log holds ", size, " events but checkpoint ", last.size(),
        " was signed: the store lost events (restored from a stale backup?); refusing to sign"));
  }
  absl::StatusOr<std::string> root = RootHash(last.size());
  if (!root.ok()) return root.status();
  if (*root != last.root_hash()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the stored tree of size ", last.size(), " has root ", domain::HexEncode(*root),
        " but the last signed checkpoint says ", domain::HexEncode(last.root_hash()),
        ": history was changed; refusing to sign"));
  }
  return absl::OkStatus();
}

absl::Status TransparencyLog::SignNow() {
  absl::MutexLock lock(&mu_);
  return SignLocked();
}

absl::Status TransparencyLog::SignLocked() {
  if (!loaded_) return absl::FailedPreconditionError("the log was not opened");
  if (!signing_status_.ok()) return signing_status_;
  const uint64_t size = ledger_->last_seq();
  const bool first = latest_.note().empty();
  if (!first && size == latest_.size()) return absl::OkStatus();
  if (!first) {
    // Never sign a second history: the new tree must extend the last signed one.
    if (absl::Status status = CheckExtends(latest_, size); !status.ok()) {
      signing_status_ = status;
      return status;
    }
  }
  // Re-hash what is about to be signed for the first time.
  if (absl::Status status = CheckLeaves(first ? 0 : latest_.size(), size); !status.ok()) {
    signing_status_ = status;
    return status;
  }
  absl::StatusOr<std::string> root = RootHash(size);
  if (!root.ok()) return root.status();
  domain::Checkpoint checkpoint;
  checkpoint.origin = origin_;
  checkpoint.size = size;
  checkpoint.root_hash = *root;
  // Whole seconds, never before the last one.
  checkpoint.time = absl::FromUnixSeconds(absl::ToUnixSeconds(clock_->Now()));
  if (!first) checkpoint.time = std::max(checkpoint.time, domain::FromProto(latest_.time()));
  absl::StatusOr<std::string> note = domain::SignCheckpoint(signer_, checkpoint);
  if (!note.ok()) return note.status();
  if (next_signer_.has_value()) {
    note = next_signer_->CoSign(*note);
    if (!note.ok()) return note.status();
  }
  v1::Checkpoint signed_checkpoint = CheckpointToProto(checkpoint, *note);
  // The files first: if the store write is lost, they still say what was signed.
  const std::string& state = state_file_.empty() ? options_.checkpoint_state_file : state_file_;
  for (const std::string* path : {&state, &options_.checkpoint_file}) {
    if (path->empty()) continue;
    // The state file is the operator's: readable by the daemon's user only.
    if (absl::Status status = WriteFileAtomically(*path, *note, path == &state ? 0600 : 0644);
        !status.ok()) {
      return status;
    }
  }
  WriteSet writes;
  writes.Put(Table::kMeta, std::string(kCheckpointKey), SerializeRecord(signed_checkpoint));
  if (absl::Status status = store_->Write(writes); !status.ok()) return status;
  latest_ = std::move(signed_checkpoint);
  return absl::OkStatus();
}

std::string TransparencyLog::VerifierKey() const {
  absl::MutexLock lock(&mu_);
  return signer_.VerifierKey();
}

std::string TransparencyLog::NextVerifierKey() const {
  absl::MutexLock lock(&mu_);
  return next_signer_.has_value() ? next_signer_->VerifierKey() : "";
}

void TransparencyLog::CoSignWith(domain::NoteSigner next) {
  absl::MutexLock lock(&mu_);
  next_signer_ = std::move(next);
}

absl::Status TransparencyLog::BeginKeyRotation(domain::NoteSigner next) {
  {
    absl::MutexLock lock(&mu_);
    if (next_signer_.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("a key rotation to ", next_signer_->VerifierKey(), " is already under way"));
    }
    if (next.name() != origin_ || next.key_id() == signer_.key_id()) {
      return absl::InvalidArgumentError(absl::StrCat("next key: must be a new key named ", origin_,
                                                     ", not ", next.VerifierKey()));
    }
    next_signer_ = std::move(next);
  }
  return RecordRotation(/*finished=*/false);
}

absl::Status TransparencyLog::FinishKeyRotation(const std::function<absl::Status()>& persist) {
  {
    absl::MutexLock lock(&mu_);
    if (!next_signer_.has_value()) {
      return absl::FailedPreconditionError("no key rotation is under way");
    }
  }
  if (absl::Status status = RecordRotation(/*finished=*/true); !status.ok()) return status;
  // Holding the lock: nothing is signed between persisting the key and switching to it.
  absl::MutexLock lock(&mu_);
  if (absl::Status status = persist(); !status.ok()) return status;
  signer_ = *std::move(next_signer_);
  next_signer_.reset();
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> TransparencyLog::KeyRotationBeganAt() const {
  std::string subject;
  {
    absl::MutexLock lock(&mu_);
    if (!next_signer_.has_value()) {
      return absl::FailedPreconditionError("no key rotation is under way");
    }
    subject = absl::StrCat("log_key/", next_signer_->VerifierKey().substr(origin_.size() + 1, 8));
  }
  absl::StatusOr<uint64_t> seq = LatestEventFor(*store_, subject);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<std::optional<std::string>> data = LoadEventData(*store_, *seq);
  if (!data.ok()) return data.status();
  v1::Event event;
  if (!data->has_value() || !event.ParseFromString(**data)) {
    return absl::DataLossError(absl::StrCat("event ", *seq, " (", subject, ") is unreadable"));
  }
  return domain::FromProto(event.time());
}

absl::Status TransparencyLog::RecordRotation(bool finished) {
  v1::LogKeyRotation rotation;
  {
    absl::MutexLock lock(&mu_);
    rotation.set_current_verifier_key(signer_.VerifierKey());
    rotation.set_next_verifier_key(next_signer_->VerifierKey());
    rotation.set_finished(finished);
  }
  // The event is in the log before a checkpoint both keys sign covers it: an auditor
  // pinning the current key learns the next one from the log it already trusts.
  const std::string subject =
      absl::StrCat("log_key/", rotation.next_verifier_key().substr(origin_.size() + 1, 8));
  absl::Status recorded = ledger_->Apply(domain::Principal(), [&](Transaction& tx) {
    tx.Record(finished ? "log.key_rotation_finished" : "log.key_rotation_begun", subject, rotation);
    return absl::OkStatus();
  });
  if (!recorded.ok()) return recorded;
  return SignNow();
}

v1::Checkpoint TransparencyLog::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

v1::Checkpoint TransparencyLog::AwaitSignedAfter(uint64_t size, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const auto signed_or_stopping = [this, size]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || latest_.size() > size;
  };
  mu_.AwaitWithTimeout(absl::Condition(&signed_or_stopping), timeout);
  return latest_;
}

void TransparencyLog::RequireCosignatures() {
  absl::MutexLock lock(&mu_);
  require_cosignatures_ = true;
}

bool TransparencyLog::requires_cosignatures() const {
  absl::MutexLock lock(&mu_);
  return require_cosignatures_;
}

void TransparencyLog::Publish(v1::Checkpoint cosigned) {
  absl::MutexLock lock(&mu_);
  if (published_.has_value() && cosigned.size() < published_->size()) return;
  published_ = std::move(cosigned);
}

absl::StatusOr<v1::Checkpoint> TransparencyLog::Served() const {
  absl::MutexLock lock(&mu_);
  if (!require_cosignatures_) return latest_;
  if (!published_.has_value()) {
    return absl::UnavailableError(
        "no checkpoint has reached the witness quorum yet (sellod --witness-policy): the log "
        "serves only cosigned checkpoints");
  }
  return *published_;
}

absl::StatusOr<absl::Duration> TransparencyLog::UnsignedEventAge() const {
  const uint64_t signed_size = Latest().size();
  if (ledger_->last_seq() <= signed_size) return absl::ZeroDuration();
  absl::StatusOr<std::optional<std::string>> data = LoadEventData(*store_, signed_size + 1);
  if (!data.ok()) return data.status();
  v1::Event event;
  if (!data->has_value() || !event.ParseFromString(**data)) {
    return absl::DataLossError(absl::StrCat("event ", signed_size + 1, " is unreadable"));
  }
  return std::max(absl::ZeroDuration(), clock_->Now() - domain::FromProto(event.time()));
}

absl::Status TransparencyLog::signing_status() const {
  absl::MutexLock lock(&mu_);
  return signing_status_;
}

void TransparencyLog::Start() {
  signer_thread_ = std::thread([this] { RunSigner(); });
}

void TransparencyLog::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (signer_thread_.joinable()) signer_thread_.join();
  {
    absl::MutexLock lock(&mu_);
    if (!loaded_) return;
  }
  // Whatever was committed last is covered before the daemon goes.
  if (absl::Status status = SignNow(); !status.ok() && options_.on_signing_error) {
    options_.on_signing_error(status);
  }
}

void TransparencyLog::RunSigner() {
  uint64_t seen = Latest().size();
  bool reported = false;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    const uint64_t head = ledger_->AwaitEventsAfter(seen, kSignerPoll);
    // A closed ledger wakes waiters at once: leave the last signature to Stop().
    if (ledger_->closed()) return;
    if (head <= seen) continue;
    const absl::Status status = SignNow();
    if (status.ok()) {
      seen = head;
      reported = false;
      // At most a few signatures a second: each one syncs the store and the files, and
      // under a stream of commits signing after every one would cost more fsyncs than
      // the commits themselves. A commit is still covered within kMinSignInterval plus
      // one signature, well inside the promised second.
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), kMinSignInterval);
    } else if (!reported) {
      // Reported once per failure, not once per commit.
      if (options_.on_signing_error) options_.on_signing_error(status);
      reported = true;
      seen = head;
    } else {
      seen = head;
    }
  }
}

absl::StatusOr<std::string> TransparencyLog::RootHash(uint64_t size) const {
  if (size > ledger_->last_seq()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree_size: ", size, " is beyond the log's ", ledger_->last_seq(), " events"));
  }
  TreeReader reader(*store_);
  return domain::merkle::RootHash(size, reader);
}

absl::StatusOr<std::vector<std::string>> TransparencyLog::InclusionProof(uint64_t index,
                                                                         uint64_t size) const {
  if (size > ledger_->last_seq()) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree_size: ", size, " is beyond the log's ", ledger_->last_seq(), " events"));
  }
  TreeReader reader(*store_, &proof_nodes_);
  return domain::merkle::InclusionProof(index, size, reader);
}

absl::StatusOr<std::vector<std::string>> TransparencyLog::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) const {
  if (new_size > ledger_->last_seq()) {
    return absl::InvalidArgumentError(absl::StrCat("new_size: ", new_size, " is beyond the log's ",
                                                   ledger_->last_seq(), " events"));
  }
  TreeReader reader(*store_, &proof_nodes_);
  return domain::merkle::ConsistencyProof(old_size, new_size, reader);
}

absl::StatusOr<std::string> TransparencyLog::SubtreeHashes(int level, uint64_t first,
                                                           int count) const {
  if (level < 0 || level >= 64 || count < 0 ||
      ((first + static_cast<uint64_t>(count)) >> (63 - level)) != 0 ||
      ((first + static_cast<uint64_t>(count)) << level) > ledger_->last_seq()) {
    return absl::InvalidArgumentError(absl::StrCat("nodes ", first, "+", count, " at level ", level,
                                                   " are beyond the committed tree"));
  }
  std::vector<domain::merkle::NodeId> ids;
  ids.reserve(count);
  for (int i = 0; i < count; ++i) ids.push_back({level, first + static_cast<uint64_t>(i)});
  TreeReader reader(*store_);
  absl::StatusOr<std::vector<std::string>> hashes = reader.ReadHashes(ids);
  if (!hashes.ok()) return hashes.status();
  std::string out;
  out.reserve(static_cast<size_t>(count) * domain::merkle::kHashSize);
  for (const std::string& hash : *hashes) out += hash;
  return out;
}

}  // namespace sello::storage
